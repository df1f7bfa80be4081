package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"examcert/internal/database"
	"examcert/internal/password"
	"examcert/models"
)

func withStdin(t *testing.T, input string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.WriteString(input); w.Close() }()
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old })
}

func TestCreateAdmin(t *testing.T) {
	password.Cost = bcrypt.MinCost
	dir := t.TempDir()
	withStdin(t, "weak\n")
	if err := run([]string{"create-admin", "--username", "root", "--data-dir", dir}); err == nil || !strings.Contains(err.Error(), "密码长度至少为8位") {
		t.Fatalf("weak password: %v", err)
	}
	withStdin(t, "Xy7#kLm2pQ\n")
	if err := run([]string{"create-admin", "--username=root", "--name", "系统管理员", "--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := new(models.Account)
	if err := db.NewSelect().Model(a).Where("username = 'root'").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Role != models.RoleAdmin || a.DisplayName != "系统管理员" || !password.Verify(a.PasswordHash, "Xy7#kLm2pQ") {
		t.Fatalf("admin: %+v", a)
	}
	// No demo accounts appear without --demo.
	n, _ := db.NewSelect().Model((*models.Account)(nil)).Count(ctx)
	if n != 1 {
		t.Fatalf("%d accounts; want only the admin", n)
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	if err := run([]string{"--version"}); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"frobnicate", "--data-dir", t.TempDir()}); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(nil); err == nil {
		t.Fatal("no command accepted")
	}
}
