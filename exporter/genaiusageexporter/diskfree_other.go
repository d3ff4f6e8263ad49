//go:build !unix

package genaiusageexporter

import "errors"

// freeBytes is not read here: the disk guard never refuses.
func freeBytes(string) (int64, error) {
	return 0, errors.New("free space is not read on this platform")
}
