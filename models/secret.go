package models

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
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

// TicketTokens signs and reads the token a 准考证's QR code carries: "ZKZ2." + 准考证号 + "." + the draw (放号) id +
// "." + 16 bytes of HMAC-SHA256 over both, base64url. It names the ticket, never the person, and cannot be forged
// without the key. The draw is signed along with the number because 取消放号 and a new 放号 hand the same numbers
// out again: a ticket printed before is then refused instead of naming whoever holds its number now.
type TicketTokens struct{ key []byte }

// NewTicketTokens loads (or makes) the shared signing key.
func NewTicketTokens(ctx context.Context, db bun.IDB) (TicketTokens, error) {
	k, err := ServerSecret(ctx, db, "ticket_token")
	return TicketTokens{key: k}, err
}

// ticketTokenPrefix starts every token; a code without it is read as a typed 准考证号.
const ticketTokenPrefix = "ZKZ2."

// Sign returns the token for a 准考证号 of a draw.
func (t TicketTokens) Sign(ticketNo string, drawID int64) string {
	signed := ticketNo + "." + strconv.FormatInt(drawID, 10)
	return ticketTokenPrefix + signed + "." + t.mac(signed)
}

// Verify returns the 准考证号 and the draw a token names, or ErrBadTicketToken.
func (t TicketTokens) Verify(token string) (ticketNo string, drawID int64, err error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 4 || parts[0]+"." != ticketTokenPrefix || len(t.key) == 0 {
		return "", 0, ErrBadTicketToken
	}
	if !hmac.Equal([]byte(parts[3]), []byte(t.mac(parts[1]+"."+parts[2]))) {
		return "", 0, ErrBadTicketToken
	}
	drawID, err = strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", 0, ErrBadTicketToken
	}
	return parts[1], drawID, nil
}

func (t TicketTokens) mac(signed string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(signed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
