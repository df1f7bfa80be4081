package config

import (
	"testing"
	"time"
)

func TestParseFlagsAndEnvironment(t *testing.T) {
	t.Setenv("EXAMCERT_ADDR", "0.0.0.0:9000")
	t.Setenv("EXAMCERT_IDLE_TIMEOUT", "10m")
	t.Setenv("EXAMCERT_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
	c, err := Parse("t", []string{"--addr", "127.0.0.1:8181", "--demo", "--password-min-length=12", "--import-max-rows", "500"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8181" {
		t.Errorf("flag does not win over the environment: %s", c.Addr)
	}
	if c.IdleTimeout != 10*time.Minute || !c.Demo || c.Password.MinLength != 12 || c.ImportMaxRows != 500 {
		t.Errorf("parsed %+v", c)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "10.0.0.1/32" {
		t.Errorf("proxies %v", c.TrustedProxies)
	}
	d, _ := Parse("t", nil)
	if d.MaxSessionAge != 12*time.Hour || d.Password.MinClasses != 3 || d.Demo {
		t.Errorf("defaults %+v", d)
	}
	for _, bad := range [][]string{{"--idle-timeout", "soon"}, {"--trusted-proxies", "not-an-ip"}, {"--login-burst", "x"}} {
		if _, err := Parse("t", bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Migrations run with the owner's URL when one is given, otherwise with the serving URL (SQLite: neither).
func TestMigrationURL(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://examcert_app@db/examcert")
	t.Setenv("EXAMCERT_MIGRATE_DATABASE_URL", "postgres://examcert_owner@db/examcert")
	c, err := Parse("t", nil)
	if err != nil || c.DatabaseURL != "postgres://examcert_app@db/examcert" || c.MigrationURL() != "postgres://examcert_owner@db/examcert" {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = Parse("t", []string{"--migrate-database-url", "postgres://other@db/examcert"})
	if err != nil || c.MigrationURL() != "postgres://other@db/examcert" {
		t.Fatalf("flag: %+v %v", c, err)
	}
	t.Setenv("EXAMCERT_MIGRATE_DATABASE_URL", "")
	if c, _ := Parse("t", nil); c.MigrationURL() != "postgres://examcert_app@db/examcert" {
		t.Errorf("without an owner URL migrations use %q", c.MigrationURL())
	}
	t.Setenv("DATABASE_URL", "")
	if c, _ := Parse("t", nil); c.MigrationURL() != "" {
		t.Errorf("SQLite: %q", c.MigrationURL())
	}
	if _, err := Parse("t", []string{"--migrate-database-url", "postgres://o@db/x"}); err == nil {
		t.Error("an owner URL without a serving URL was accepted")
	}
}

func TestNationalURLSetting(t *testing.T) {
	c, err := Parse("x", []string{"--national-url", "http://127.0.0.1:9/"})
	if err != nil || c.NationalURL != "http://127.0.0.1:9/" {
		t.Fatalf("%q %v", c.NationalURL, err)
	}
	if c, _ := Parse("x", nil); c.NationalURL != "" {
		t.Fatalf("default %q", c.NationalURL)
	}
	if _, err := Parse("x", []string{"--national-url", "ftp://x"}); err == nil {
		t.Fatal("ftp accepted")
	}
}
