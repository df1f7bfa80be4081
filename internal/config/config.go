// Package config reads the server's settings from flags and environment variables (flags win), with defaults that
// run the product on one machine with nothing installed.
package config

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"examcert/internal/password"
)

// Config is every setting the server reads. The README lists each one with its flag and variable.
type Config struct {
	Addr        string // EXAMCERT_ADDR
	DataDir     string // EXAMCERT_DATA_DIR: the SQLite file and stored files
	DatabaseURL string // DATABASE_URL: postgres://… uses PostgreSQL; empty uses SQLite in DataDir
	// BlobStore (EXAMCERT_BLOB_STORE) is where photos and made documents are kept: "database" (tables of the
	// database, so every server process sees them), "folder" (DataDir/blobs), or "auto" (the default): the database
	// with PostgreSQL, the folder with SQLite.
	BlobStore string
	// EXAMCERT_MIGRATE_DATABASE_URL: the schema owner's postgres://… URL, used only to apply migrations, so that the
	// role the server serves with can read and write rows but not truncate, alter or drop (SECURITY.md 30).
	// Empty: migrations use DatabaseURL.
	MigrateDatabaseURL string
	TrustedProxies     []netip.Prefix // EXAMCERT_TRUSTED_PROXIES: only these peers may set X-Forwarded-For / X-Real-IP
	SecureCookies      bool           // EXAMCERT_SECURE_COOKIES: set when served over TLS (directly or behind a proxy)
	IdleTimeout        time.Duration  // EXAMCERT_IDLE_TIMEOUT
	MaxSessionAge      time.Duration  // EXAMCERT_MAX_SESSION_AGE
	LoginRate          float64        // EXAMCERT_LOGIN_RATE: sign-in attempts per minute per client address
	LoginBurst         int            // EXAMCERT_LOGIN_BURST
	Password           password.Policy
	LookupRate         float64 // EXAMCERT_LOOKUP_RATE: ID-number / code lookups per minute per account
	LookupBurst        int     // EXAMCERT_LOOKUP_BURST
	ImportMaxRows      int     // EXAMCERT_IMPORT_MAX_ROWS: rows one 批量报名 file may hold
	Demo               bool    // EXAMCERT_DEMO: seed demo data into an empty database at start
	// HideVerifyPhoto (--verify-photo=false, EXAMCERT_VERIFY_PHOTO=false): the public certificate verification page shows no photo.
	HideVerifyPhoto bool
	LogLevel        string // EXAMCERT_LOG_LEVEL: debug, info, warn, error
	// PublicURL (EXAMCERT_PUBLIC_URL) is the address users reach the server at, e.g. https://examcert.example.gov.cn:
	// the portal's redirect and sign-out addresses are built from it. Empty: taken from each request.
	PublicURL string
	Portal    Portal
	// The SMTP server notices are emailed through (EXAMCERT_SMTP_*). No host: emails wait in the outbox.
	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string
	// NationalURL (--national-url, EXAMCERT_NATIONAL_URL) is the national platform's address, which 证书进京 asks for
	// the certificates other provinces released (办理转出). Empty: no platform, the form is filled in by hand.
	NationalURL string
}

// Portal is the 网上办事大厅 (an OpenID Connect provider) practitioners and enterprises may sign in through. It is
// offered when Issuer and ClientID are set.
type Portal struct {
	Issuer          string // EXAMCERT_PORTAL_ISSUER
	ClientID        string // EXAMCERT_PORTAL_CLIENT_ID
	ClientSecret    string // EXAMCERT_PORTAL_CLIENT_SECRET
	IDNumberClaim   string // EXAMCERT_PORTAL_ID_NUMBER_CLAIM: the claim holding a person's 身份证号
	CreditCodeClaim string // EXAMCERT_PORTAL_CREDIT_CODE_CLAIM: the claim holding a legal person's 统一社会信用代码
	NameClaim       string // EXAMCERT_PORTAL_NAME_CLAIM: the person's name, or the legal person's name
	// PasswordFallback (EXAMCERT_PORTAL_PASSWORD_FALLBACK): practitioners and enterprises may still sign in with a
	// password. Training institutions and admins always do.
	PasswordFallback bool
}

// Enabled says whether the portal sign-in is configured.
func (p Portal) Enabled() bool { return p.Issuer != "" && p.ClientID != "" }

// Default returns the settings used when nothing is given.
func Default() Config {
	return Config{
		Addr:          "127.0.0.1:8080",
		DataDir:       "data",
		BlobStore:     "auto",
		IdleTimeout:   30 * time.Minute,
		MaxSessionAge: 12 * time.Hour,
		LoginRate:     20,
		LoginBurst:    10,
		ImportMaxRows: 10000,
		LookupRate:    30,
		LookupBurst:   20,
		Password:      password.DefaultPolicy,
		LogLevel:      "info",
		Portal: Portal{IDNumberClaim: "id_number", CreditCodeClaim: "credit_code", NameClaim: "name",
			PasswordFallback: true},
		SMTPPort: 587,
		SMTPFrom: "noreply@localhost",
	}
}

// MigrationURL is the URL migrations connect with: the owner's when one is set, otherwise the serving URL.
func (c Config) MigrationURL() string {
	if c.MigrateDatabaseURL != "" {
		return c.MigrateDatabaseURL
	}
	return c.DatabaseURL
}

// Parse fills a Config from environment variables, then from the flags in args.
func Parse(name string, args []string) (Config, error) {
	c := Default()
	env := func(k string) (string, bool) { v, ok := os.LookupEnv(k); return v, ok && v != "" }
	if v, ok := env("EXAMCERT_ADDR"); ok {
		c.Addr = v
	}
	if v, ok := env("EXAMCERT_DATA_DIR"); ok {
		c.DataDir = v
	}
	if v, ok := env("DATABASE_URL"); ok {
		c.DatabaseURL = v
	}
	if v, ok := env("EXAMCERT_BLOB_STORE"); ok {
		c.BlobStore = v
	}
	if v, ok := env("EXAMCERT_MIGRATE_DATABASE_URL"); ok {
		c.MigrateDatabaseURL = v
	}
	proxies, _ := env("EXAMCERT_TRUSTED_PROXIES")
	secure, _ := env("EXAMCERT_SECURE_COOKIES")
	idle, _ := env("EXAMCERT_IDLE_TIMEOUT")
	maxAge, _ := env("EXAMCERT_MAX_SESSION_AGE")
	demo, _ := env("EXAMCERT_DEMO")
	if v, ok := env("EXAMCERT_LOG_LEVEL"); ok {
		c.LogLevel = v
	}
	rate, _ := env("EXAMCERT_LOGIN_RATE")
	burst, _ := env("EXAMCERT_LOGIN_BURST")
	pwMin, _ := env("EXAMCERT_PASSWORD_MIN_LENGTH")
	pwClasses, _ := env("EXAMCERT_PASSWORD_MIN_CLASSES")
	pwAge, _ := env("EXAMCERT_PASSWORD_MAX_AGE_ADMIN")
	importRows, _ := env("EXAMCERT_IMPORT_MAX_ROWS")
	lookupRate, _ := env("EXAMCERT_LOOKUP_RATE")
	lookupBurst, _ := env("EXAMCERT_LOOKUP_BURST")
	for k, dst := range map[string]*string{"EXAMCERT_PUBLIC_URL": &c.PublicURL, "EXAMCERT_NATIONAL_URL": &c.NationalURL, "EXAMCERT_PORTAL_ISSUER": &c.Portal.Issuer,
		"EXAMCERT_PORTAL_CLIENT_ID": &c.Portal.ClientID, "EXAMCERT_PORTAL_CLIENT_SECRET": &c.Portal.ClientSecret,
		"EXAMCERT_PORTAL_ID_NUMBER_CLAIM": &c.Portal.IDNumberClaim, "EXAMCERT_PORTAL_CREDIT_CODE_CLAIM": &c.Portal.CreditCodeClaim,
		"EXAMCERT_PORTAL_NAME_CLAIM": &c.Portal.NameClaim} {
		if v, ok := env(k); ok {
			*dst = v
		}
	}
	portalFallback, _ := env("EXAMCERT_PORTAL_PASSWORD_FALLBACK")
	verifyPhoto, _ := env("EXAMCERT_VERIFY_PHOTO")
	if v, ok := env("EXAMCERT_SMTP_HOST"); ok {
		c.SMTPHost = v
	}
	smtpPort, _ := env("EXAMCERT_SMTP_PORT")
	if v, ok := env("EXAMCERT_SMTP_USER"); ok {
		c.SMTPUser = v
	}
	if v, ok := env("EXAMCERT_SMTP_PASSWORD"); ok {
		c.SMTPPassword = v
	}
	if v, ok := env("EXAMCERT_SMTP_FROM"); ok {
		c.SMTPFrom = v
	}

	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "folder for the SQLite database and stored files")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres://… to use PostgreSQL instead of SQLite")
	fs.StringVar(&c.BlobStore, "blob-store", c.BlobStore, "where photos and made documents are kept: auto (database with PostgreSQL, folder with SQLite), database or folder")
	fs.StringVar(&c.MigrateDatabaseURL, "migrate-database-url", c.MigrateDatabaseURL, "postgres://… of the schema owner, used only for migrations (default: --database-url)")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed")
	fs.StringVar(&secure, "secure-cookies", secure, "true when users reach the server over HTTPS")
	fs.StringVar(&idle, "idle-timeout", idle, "sign out after this long without a request (default 30m)")
	fs.StringVar(&maxAge, "max-session-age", maxAge, "sign out this long after sign-in (default 12h)")
	fs.StringVar(&rate, "login-rate", rate, "sign-in attempts per minute per client address (default 20)")
	fs.StringVar(&burst, "login-burst", burst, "sign-in attempts allowed at once per client address (default 10)")
	fs.StringVar(&pwMin, "password-min-length", pwMin, "minimum password length (default 8)")
	fs.StringVar(&pwClasses, "password-min-classes", pwClasses, "minimum character classes of 4 (default 3)")
	fs.StringVar(&pwAge, "password-max-age-admin", pwAge, "admins must change their password after this long (default 2160h = 90 days; 0 = never)")
	fs.StringVar(&lookupRate, "lookup-rate", lookupRate, "ID-number and code lookups per minute per account (default 30)")
	fs.StringVar(&lookupBurst, "lookup-burst", lookupBurst, "lookups allowed at once per account (default 20)")
	fs.StringVar(&importRows, "import-max-rows", importRows, "rows one batch registration file may hold (default 10000)")
	fs.StringVar(&demo, "demo", demo, "seed demo data when the database is empty (true/false)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.NationalURL, "national-url", c.NationalURL, "address of the national platform 证书进京 takes outgoing certificates from (empty: entered by hand)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the address users reach the server at (https://…); the portal's redirect addresses are built from it (default: from each request)")
	fs.StringVar(&c.Portal.Issuer, "portal-issuer", c.Portal.Issuer, "OpenID Connect issuer of the 网上办事大厅; with --portal-client-id, the sign-in page offers 通过网上办事大厅登录")
	fs.StringVar(&c.Portal.ClientID, "portal-client-id", c.Portal.ClientID, "client id examcert is registered with at the portal")
	fs.StringVar(&c.Portal.ClientSecret, "portal-client-secret", c.Portal.ClientSecret, "client secret examcert is registered with at the portal (prefer EXAMCERT_PORTAL_CLIENT_SECRET)")
	fs.StringVar(&c.Portal.IDNumberClaim, "portal-id-number-claim", c.Portal.IDNumberClaim, "claim carrying a person's ID number (default id_number)")
	fs.StringVar(&c.Portal.CreditCodeClaim, "portal-credit-code-claim", c.Portal.CreditCodeClaim, "claim carrying a legal person's unified social credit code (default credit_code)")
	fs.StringVar(&c.Portal.NameClaim, "portal-name-claim", c.Portal.NameClaim, "claim carrying the person's or legal person's name (default name)")
	fs.StringVar(&portalFallback, "portal-password-fallback", portalFallback, "practitioners and enterprises may still sign in with a password when the portal is set (default true)")
	fs.StringVar(&verifyPhoto, "verify-photo", verifyPhoto, "the public certificate verification page shows the photo (default true)")
	fs.StringVar(&c.SMTPHost, "smtp-host", c.SMTPHost, "SMTP server that notices are emailed through (empty: emails wait in the outbox)")
	fs.StringVar(&smtpPort, "smtp-port", smtpPort, "SMTP server port (default 587; STARTTLS when the server offers it)")
	fs.StringVar(&c.SMTPUser, "smtp-user", c.SMTPUser, "SMTP user name (empty: no authentication)")
	fs.StringVar(&c.SMTPPassword, "smtp-password", c.SMTPPassword, "SMTP password (prefer EXAMCERT_SMTP_PASSWORD: flags show in the process list)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "From address of notice emails, e.g. \"考务系统 <noreply@example.cn>\"")
	// A bare --demo means --demo=true.
	for i, a := range args {
		if a == "--demo" || a == "-demo" {
			args[i] = "--demo=true"
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch c.BlobStore {
	case "", "auto", "database", "folder":
	default:
		return c, fmt.Errorf("--blob-store: %q is none of auto, database, folder", c.BlobStore)
	}
	if c.MigrateDatabaseURL != "" && c.DatabaseURL == "" {
		return c, fmt.Errorf("--migrate-database-url needs --database-url: the owner's URL is for PostgreSQL only")
	}
	var err error
	if c.TrustedProxies, err = parsePrefixes(proxies); err != nil {
		return c, err
	}
	for _, s := range []struct {
		v   string
		dst *time.Duration
		n   string
	}{{idle, &c.IdleTimeout, "idle-timeout"}, {maxAge, &c.MaxSessionAge, "max-session-age"}, {pwAge, &c.Password.MaxAgeAdmin, "password-max-age-admin"}} {
		if s.v == "" {
			continue
		}
		if *s.dst, err = time.ParseDuration(s.v); err != nil {
			return c, fmt.Errorf("--%s: %w", s.n, err)
		}
	}
	for _, s := range []struct {
		v   string
		dst *int
		n   string
	}{{burst, &c.LoginBurst, "login-burst"}, {pwMin, &c.Password.MinLength, "password-min-length"},
		{pwClasses, &c.Password.MinClasses, "password-min-classes"}, {importRows, &c.ImportMaxRows, "import-max-rows"},
		{lookupBurst, &c.LookupBurst, "lookup-burst"}, {smtpPort, &c.SMTPPort, "smtp-port"}} {
		if s.v == "" {
			continue
		}
		if *s.dst, err = strconv.Atoi(s.v); err != nil {
			return c, fmt.Errorf("--%s: %w", s.n, err)
		}
	}
	if rate != "" {
		if c.LoginRate, err = strconv.ParseFloat(rate, 64); err != nil {
			return c, fmt.Errorf("--login-rate: %w", err)
		}
	}
	if lookupRate != "" {
		if c.LookupRate, err = strconv.ParseFloat(lookupRate, 64); err != nil {
			return c, fmt.Errorf("--lookup-rate: %w", err)
		}
	}
	if c.SecureCookies, err = parseBool(secure); err != nil {
		return c, fmt.Errorf("--secure-cookies: %w", err)
	}
	if c.Demo, err = parseBool(demo); err != nil {
		return c, fmt.Errorf("--demo: %w", err)
	}
	if verifyPhoto != "" {
		show, err := strconv.ParseBool(verifyPhoto)
		if err != nil {
			return c, fmt.Errorf("--verify-photo: %w", err)
		}
		c.HideVerifyPhoto = !show
	}
	if portalFallback != "" {
		if c.Portal.PasswordFallback, err = strconv.ParseBool(portalFallback); err != nil {
			return c, fmt.Errorf("--portal-password-fallback: %w", err)
		}
	}
	if (c.Portal.Issuer == "") != (c.Portal.ClientID == "") {
		return c, fmt.Errorf("--portal-issuer and --portal-client-id go together: set both or neither")
	}
	if c.NationalURL != "" && !strings.HasPrefix(c.NationalURL, "http://") && !strings.HasPrefix(c.NationalURL, "https://") {
		return c, fmt.Errorf("--national-url: %q is not an http:// or https:// address", c.NationalURL)
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return c, fmt.Errorf("--public-url: %q is not an http:// or https:// address", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c, nil
}

func parseBool(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	return strconv.ParseBool(s)
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		out = append(out, p)
	}
	return out, nil
}
