package models

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/uptrace/bun"
)

// ServerSecret returns the named secret every server process shares, making it (32 random bytes, hex) the first
// time: whichever process inserts first wins and every process reads the same value afterwards.
func ServerSecret(ctx context.Context, db bun.IDB, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := db.NewRaw(`INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(b), Now()).Exec(ctx); err != nil {
		return nil, err
	}
	var v string
	if err := db.NewRaw(`SELECT value FROM server_secrets WHERE name = ?`, name).Scan(ctx, &v); err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// ErrBadTicketToken is a scanned or typed token that this system did not sign.
var ErrBadTicketToken = errors.New("not a ticket token of this system")

// TicketTokens signs and reads the token a 准考证's QR code carries: "ZKZ1." + 准考证号 + "." + 16 bytes of
// HMAC-SHA256, base64url. It names the ticket, never the person, and cannot be forged without the key.
type TicketTokens struct{ key []byte }

// NewTicketTokens loads (or makes) the shared signing key.
func NewTicketTokens(ctx context.Context, db bun.IDB) (TicketTokens, error) {
	k, err := ServerSecret(ctx, db, "ticket_token")
	return TicketTokens{key: k}, err
}

// Sign returns the token for a 准考证号.
func (t TicketTokens) Sign(ticketNo string) string {
	return "ZKZ1." + ticketNo + "." + t.mac(ticketNo)
}

// Verify returns the 准考证号 a token names, or ErrBadTicketToken.
func (t TicketTokens) Verify(token string) (string, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 || parts[0] != "ZKZ1" || len(t.key) == 0 {
		return "", ErrBadTicketToken
	}
	if !hmac.Equal([]byte(parts[2]), []byte(t.mac(parts[1]))) {
		return "", ErrBadTicketToken
	}
	return parts[1], nil
}

func (t TicketTokens) mac(ticketNo string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(ticketNo))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
