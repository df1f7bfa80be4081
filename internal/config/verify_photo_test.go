package config

import "testing"

func TestVerifyPhotoSetting(t *testing.T) {
	if c, err := Parse("t", nil); err != nil || c.HideVerifyPhoto {
		t.Fatalf("default: the verification page shows the photo (%v)", err)
	}
	t.Setenv("EXAMCERT_VERIFY_PHOTO", "false")
	if c, err := Parse("t", nil); err != nil || !c.HideVerifyPhoto {
		t.Fatalf("EXAMCERT_VERIFY_PHOTO=false: %v", err)
	}
	if c, err := Parse("t", []string{"--verify-photo=true"}); err != nil || c.HideVerifyPhoto {
		t.Fatalf("the flag wins: %v", err)
	}
	if _, err := Parse("t", []string{"--verify-photo=maybe"}); err == nil {
		t.Fatal("a bad value is accepted")
	}
}
