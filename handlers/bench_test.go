package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"examcert/internal/password"
	"examcert/models"
	"examcert/models/demo"
)

// Benchmarks of the hot paths, each beside a reference measured in the same run (the machine is noisy: compare
// ratios, not absolute numbers). Run: make bench, or go test -run '^$' -bench . ./handlers

// BenchmarkSignIn: a whole sign-in (POST /login with CSRF, lookup, bcrypt at the production cost, session insert,
// audit row, redirect) against BenchmarkBcryptVerify, the floor any sign-in pays.
func BenchmarkSignIn(b *testing.B) {
	e := newEnv(b)
	hash, _ := bcrypt.GenerateFromPassword([]byte(demo.Password), bcrypt.DefaultCost)
	if _, err := e.db.NewUpdate().Model((*models.Account)(nil)).Set("password_hash = ?", string(hash)).Where("username = 'zhangsan'").Exec(context.Background()); err != nil {
		b.Fatal(err)
	}
	c := e.client()
	form := url.Values{"username": {"zhangsan"}, "password": {demo.Password}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		form.Set("_csrf", c.csrf()) // each sign-in issues a new token
		if p := c.do(http.MethodPost, "/login", form, false, nil); p.Status != http.StatusSeeOther {
			b.Fatalf("status %d", p.Status)
		}
	}
}

func BenchmarkBcryptVerify(b *testing.B) {
	hash, _ := bcrypt.GenerateFromPassword([]byte(demo.Password), bcrypt.DefaultCost)
	for i := 0; i < b.N; i++ {
		if !password.Verify(string(hash), demo.Password) {
			b.Fatal("mismatch")
		}
	}
}

// BenchmarkHealthz is the reference for page benchmarks: the full middleware stack around the smallest handler.
func BenchmarkHealthz(b *testing.B) {
	e := newEnv(b)
	c := e.client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.get("/healthz")
	}
}

// BenchmarkHomePage: a signed-in page (session and account lookups, menu, templ render).
func BenchmarkHomePage(b *testing.B) {
	e := newEnv(b)
	c := e.client().signIn("zhangsan")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := c.get("/home"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}

// BenchmarkAccountList and BenchmarkAuditList: the admin's lists with 2,000 rows behind them, first page.
func BenchmarkAccountList(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bunTx) error {
		for i := 0; i < 2000; i++ {
			if err := models.InsertAccount(ctx, tx, &models.Account{Username: fmt.Sprintf("user%04d", i), Role: models.RoleAdmin, DisplayName: "用户", PasswordHash: "x"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	c := e.client().signIn("admin")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := c.get("/admin/accounts?q=user"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}

func BenchmarkAuditList(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bunTx) error {
		for i := 0; i < 2000; i++ {
			if err := models.RecordAudit(ctx, tx, &models.AuditEvent{Event: models.EventLoginOK, Username: "zhangsan", IP: "10.0.0.1"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	c := e.client().signIn("admin")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := c.get("/admin/audit?event=login.ok"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}

// BenchmarkPersonLookup: the ID-number autofill (htmx fragment): parse, find, scope check, stage, audit row.
// Compare with BenchmarkHealthz. The per-account rate limit is lifted for the benchmark.
func BenchmarkPersonLookup(b *testing.B) {
	e := newEnv(b, liftLookupBudget)
	c := e.client().signIn("jianshe")
	known := demoCode("zhangsan")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := c.getHX("/lookup/person?id_number=" + known)
		if p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}
