# The README's two commands are `go run ./cmd/examcert serve --demo` and `make test`.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: test test-sqlite test-postgres run build generate bench loadtest

# All tests, twice: on SQLite and on PostgreSQL. The browser suite (e2e) is required, not skipped.
test: test-sqlite test-postgres

test-sqlite:
	go vet ./...
	E2E_REQUIRED=1 go test -count=1 -timeout 30m ./...

test-postgres:
	@pg_isready -q -d '$(TEST_DATABASE_URL)' 2>/dev/null || psql '$(TEST_DATABASE_URL)' -c 'select 1' >/dev/null || \
		{ echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL): start it, or set TEST_DATABASE_URL"; exit 1; }
	E2E_REQUIRED=1 TEST_DATABASE_URL='$(TEST_DATABASE_URL)' go test -count=1 -timeout 30m ./...

run:
	go run ./cmd/examcert serve --demo

build:
	go build -trimpath -ldflags "-s -w -X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/examcert ./cmd/examcert

generate:
	go tool templ generate

bench:
	go test -run '^$$' -bench . -benchmem ./handlers ./internal/ident ./internal/export
	go test -run '^$$' -bench CertificatePDF -benchtime 3s -benchmem ./internal/printout
	go test -run '^$$' -bench ExportResults100k -benchtime 1x ./models
	TEST_DATABASE_URL='$(TEST_DATABASE_URL)' go test -run '^$$' -bench ExportResults100k -benchtime 1x ./models
	TEST_DATABASE_URL='$(TEST_DATABASE_URL)' go test -run '^$$' -bench Statistics1M -benchtime 3x -timeout 30m ./models

# The registration submit under wrk against a raw INSERT of the same row, on SQLite then PostgreSQL (see README).
loadtest: build
	go run ./cmd/loadtest -server bin/examcert
	go run ./cmd/loadtest -server bin/examcert -database-url '$(TEST_DATABASE_URL)'
