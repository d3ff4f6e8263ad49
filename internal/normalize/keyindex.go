package normalize

// keyIndex maps an attribute key to its table entries. It is a small
// open-addressing table built once: the key set is fixed, so a cheap hash
// of the key's length and three 8-byte windows, checked against the whole
// key, is several times faster than a general map on this hot path.
type keyIndex struct {
	slots []keySlot
	mask  uint32
}

type keySlot struct {
	key     string
	entries []entry
}

func newKeyIndex(table []keyInfo) *keyIndex {
	byKey := map[string][]entry{}
	var order []string
	var ranks [numConcepts]uint8
	for i, k := range table {
		if _, ok := byKey[k.key]; !ok {
			order = append(order, k.key)
		}
		byKey[k.key] = append(byKey[k.key], entry{concept: k.concept, rank: ranks[k.concept], idx: uint16(i)})
		ranks[k.concept]++
	}
	size := 16
	for size < 8*len(order) {
		size <<= 1
	}
	ix := &keyIndex{slots: make([]keySlot, size), mask: uint32(size - 1)}
	for _, k := range order {
		for i := keyHash(k) & ix.mask; ; i = (i + 1) & ix.mask {
			if ix.slots[i].key == "" {
				ix.slots[i] = keySlot{key: k, entries: byKey[k]}
				break
			}
		}
	}
	return ix
}

func (ix *keyIndex) get(k string) ([]entry, bool) {
	for i := keyHash(k) & ix.mask; ; i = (i + 1) & ix.mask {
		s := &ix.slots[i]
		if s.key == "" {
			return nil, false
		}
		if s.key == k {
			return s.entries, true
		}
	}
}

// keyHash mixes the length and the first, middle and last eight bytes;
// keys shorter than eight bytes use what they have.
func keyHash(k string) uint32 {
	n := len(k)
	h := uint64(n) * 0x9e3779b97f4a7c15
	if n >= 8 {
		h ^= load64(k, 0) * 0xc2b2ae3d27d4eb4f
		h ^= load64(k, n/2-4) * 0x165667b19e3779f9
		h ^= load64(k, n-8) * 0xff51afd7ed558ccd
	} else {
		for i := 0; i < n; i++ {
			h = (h ^ uint64(k[i])) * 0x100000001b3
		}
	}
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return uint32(h >> 32)
}

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}
