package fx

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Leg is one exchange rate a conversion uses, as its source stated it.
type Leg struct {
	// Base and Quote are the pair in market notation: 1 Base = Rate Quote.
	Base, Quote string
	// Rate is the decimal as its source wrote it, such as "1.0823".
	Rate string
	// Date is the instant the rate took effect, in UTC.
	Date time.Time
	// Inverted reports that the leg converts from Quote into Base, that is
	// divides by Rate.
	Inverted bool
}

// Rate converts amounts from one currency into another: the exact factor
// and the legs it was made of. The zero Rate is the identity; the identity
// Table.Rate returns also records its currency, which its text, the empty
// string, does not.
type Rate struct {
	from, to string
	legs     []Leg
	text     string
	// The factor is num/den, in lowest terms, when both fit 64 bits;
	// otherwise den is 0 and frac holds it.
	num, den uint64
	frac     *fraction
}

type fraction struct{ num, den big.Int }

// maxLegs is the most legs a rate has: two, for a cross through a pivot.
const maxLegs = 2

// newRate builds the rate from one currency to another through legs that
// have been checked to chain from -> to.
func newRate(from, to string, legs []Leg) (Rate, error) {
	num, den := big.NewInt(1), big.NewInt(1)
	var d big.Int
	for i := range legs {
		digits, scale, err := parseDecimal(legs[i].Rate)
		if err != nil {
			return Rate{}, err
		}
		p, q := num, den
		if legs[i].Inverted {
			p, q = den, num
		}
		p.Mul(p, d.SetUint64(digits))
		q.Mul(q, d.SetUint64(pow10[scale]))
	}
	d.GCD(nil, nil, num, den)
	num.Quo(num, &d)
	den.Quo(den, &d)
	r := Rate{from: from, to: to, legs: legs, text: format(from, to, legs)}
	if num.IsUint64() && den.IsUint64() {
		r.num, r.den = num.Uint64(), den.Uint64()
	} else {
		r.frac = &fraction{}
		r.frac.num.Set(num)
		r.frac.den.Set(den)
	}
	return r, nil
}

func format(from, to string, legs []Leg) string {
	if len(legs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(from)
	b.WriteByte('>')
	b.WriteString(to)
	b.WriteByte(':')
	for i := range legs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(legs[i].Base)
		b.WriteByte('/')
		b.WriteString(legs[i].Quote)
		b.WriteByte('=')
		b.WriteString(legs[i].Rate)
		b.WriteByte('@')
		b.WriteString(formatDate(legs[i].Date))
	}
	return b.String()
}

// From returns the currency the rate converts from.
func (r Rate) From() string { return r.from }

// To returns the currency the rate converts into.
func (r Rate) To() string { return r.to }

// Legs returns a copy of the rates used, in the order they are applied;
// none for the identity.
func (r Rate) Legs() []Leg { return slices.Clone(r.legs) }

// IsIdentity reports whether the rate converts a currency to itself.
func (r Rate) IsIdentity() bool { return len(r.legs) == 0 }

// Factor returns the exact number of units of To that one unit of From
// buys.
func (r Rate) Factor() *big.Rat {
	switch {
	case len(r.legs) == 0:
		return big.NewRat(1, 1)
	case r.frac != nil:
		return new(big.Rat).SetFrac(&r.frac.num, &r.frac.den)
	default:
		return new(big.Rat).SetFrac(new(big.Int).SetUint64(r.num), new(big.Int).SetUint64(r.den))
	}
}

// String returns the canonical text of the rate, which ParseRate reads
// back: "USD>EUR:EUR/USD=1.0823@2026-11-30", or "" for the identity.
func (r Rate) String() string { return r.text }

// Convert returns n times the rate's factor, rounded once to the nearest
// nano, ties to even. It is exact; a result out of the range of
// money.Nanos saturates.
func (r Rate) Convert(n money.Nanos) money.Nanos {
	if len(r.legs) == 0 {
		return n
	}
	if r.den == 0 {
		return r.convertBig(n)
	}
	neg := n < 0
	a := uint64(n)
	if neg {
		a = -a // two's complement: exact for MinInt64 too
	}
	hi, lo := bits.Mul64(a, r.num)
	if hi >= r.den {
		// The quotient needs more than 64 bits: out of range.
		return saturate(neg)
	}
	q, rem := bits.Div64(hi, lo, r.den)
	// rem < den, so den-rem neither overflows nor is zero.
	if half := r.den - rem; rem > half || (rem == half && q&1 == 1) {
		if q == math.MaxUint64 {
			return saturate(neg)
		}
		q++
	}
	if neg {
		if q >= 1<<63 {
			return math.MinInt64
		}
		return money.Nanos(-int64(q))
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return money.Nanos(q)
}

// convertBig is Convert in math/big, for factors whose terms do not fit
// 64 bits.
func (r Rate) convertBig(n money.Nanos) money.Nanos {
	var num, den *big.Int
	if r.frac != nil {
		num, den = &r.frac.num, &r.frac.den
	} else {
		num, den = new(big.Int).SetUint64(r.num), new(big.Int).SetUint64(r.den)
	}
	return roundQuo(new(big.Int).Mul(big.NewInt(int64(n)), num), den)
}

// roundQuo returns x/den rounded to the nearest integer, ties to even,
// saturated to the range of money.Nanos; den is positive.
func roundQuo(x, den *big.Int) money.Nanos {
	q, m := new(big.Int).QuoRem(x, den, new(big.Int))
	neg := x.Sign() < 0
	m.Abs(m).Lsh(m, 1)
	if c := m.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if neg {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return saturate(neg)
	}
	return money.Nanos(q.Int64())
}

func saturate(neg bool) money.Nanos {
	if neg {
		return math.MinInt64
	}
	return math.MaxInt64
}

// ParseRate reads the text Rate.String writes back into an identical Rate.
// The empty string is the identity: the zero Rate, with no currencies.
func ParseRate(s string) (Rate, error) {
	if s == "" {
		return Rate{}, nil
	}
	head, body, ok := strings.Cut(s, ":")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want FROM>TO:BASE/QUOTE=RATE@DATE", s)
	}
	from, to, ok := strings.Cut(head, ">")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: %q is not FROM>TO", s, head)
	}
	if err := errors.Join(checkCode(from), checkCode(to)); err != nil {
		return Rate{}, fmt.Errorf("rate %q: %w", s, err)
	}
	if from == to {
		return Rate{}, fmt.Errorf("rate %q: converts %s to itself; the identity is the empty string", s, from)
	}
	parts := strings.Split(body, ";")
	if len(parts) > maxLegs {
		return Rate{}, fmt.Errorf("rate %q: %d legs; a rate has at most %d", s, len(parts), maxLegs)
	}
	legs := make([]Leg, len(parts))
	cur := from
	for i, p := range parts {
		l, err := parseLeg(p)
		if err != nil {
			return Rate{}, fmt.Errorf("rate %q: leg %d: %w", s, i+1, err)
		}
		switch cur {
		case l.Base:
			cur = l.Quote
		case l.Quote:
			l.Inverted = true
			cur = l.Base
		default:
			return Rate{}, fmt.Errorf("rate %q: leg %d (%s/%s) does not convert from %s", s, i+1, l.Base, l.Quote, cur)
		}
		legs[i] = l
	}
	if cur != to {
		return Rate{}, fmt.Errorf("rate %q: the legs end in %s, not %s", s, cur, to)
	}
	return newRate(from, to, legs)
}

// parseLeg reads BASE/QUOTE=RATE@DATE.
func parseLeg(s string) (Leg, error) {
	pair, rest, ok1 := strings.Cut(s, "=")
	text, date, ok2 := strings.Cut(rest, "@")
	base, quote, ok3 := strings.Cut(pair, "/")
	if !ok1 || !ok2 || !ok3 {
		return Leg{}, fmt.Errorf("%q is not BASE/QUOTE=RATE@DATE", s)
	}
	if err := errors.Join(checkCode(base), checkCode(quote)); err != nil {
		return Leg{}, err
	}
	if base == quote {
		return Leg{}, fmt.Errorf("pair %s/%s has the same currency twice", base, quote)
	}
	if _, _, err := parseDecimal(text); err != nil {
		return Leg{}, err
	}
	t, err := parseDate(date)
	if err != nil {
		return Leg{}, fmt.Errorf("date: %w", err)
	}
	return Leg{Base: base, Quote: quote, Rate: text, Date: t}, nil
}
