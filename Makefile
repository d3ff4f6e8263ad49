.PHONY: test
test:
	go vet ./...
	go test ./...

# Regenerate the default pricing catalog from the genai-prices snapshot.
.PHONY: catalog
catalog:
	go run ./internal/cmd/importgenaiprices -in config/pricing/source/genai-prices-data.json \
		-out config/pricing/catalog.yaml -commit 47df840a5ab10bbcffb8e5ac01b9899032245d1b -date 2026-08-21
