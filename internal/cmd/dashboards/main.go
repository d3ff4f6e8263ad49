// Command dashboards writes the Grafana dashboards of config/grafana from
// their definitions in Go (grafana-foundation-sdk). `make dashboards` runs
// it; a test holds the committed files to its output.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "config/grafana", "directory to write the dashboards to")
	flag.Parse()
	for _, d := range All() {
		data, err := JSON(d)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*out, d.File), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
