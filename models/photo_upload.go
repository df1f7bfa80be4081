package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// PhotoUpload is a processed photo kept for the account that uploaded it until its 报名表 is saved (a form shown
// again after an error keeps the photo instead of asking for the file again).
type PhotoUpload struct {
	bun.BaseModel `bun:"table:photo_uploads"`

	PhotoKey  string    `bun:"photo_key,pk"`
	AccountID int64     `bun:"account_id,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// PhotoUploadLifetime is how long a kept photo waits for its form.
const PhotoUploadLifetime = 24 * time.Hour

// KeepPhotoUpload records a stored photo as the account's, waiting for its form.
func KeepPhotoUpload(ctx context.Context, db bun.IDB, accountID int64, key string) error {
	_, err := db.NewInsert().Model(&PhotoUpload{PhotoKey: key, AccountID: accountID, CreatedAt: Now()}).Exec(ctx)
	return err
}

// PhotoUploadOf says whether key is a kept photo of the account, still within its lifetime. Any other key (another
// account's, a registration's, made up) is not.
func PhotoUploadOf(ctx context.Context, db bun.IDB, accountID int64, key string) (bool, error) {
	return db.NewSelect().Model((*PhotoUpload)(nil)).
		Where("photo_key = ? AND account_id = ? AND created_at > ?", key, accountID, Now().Add(-PhotoUploadLifetime)).Exists(ctx)
}

// ForgetPhotoUpload drops the record once a registration names the photo.
func ForgetPhotoUpload(ctx context.Context, db bun.IDB, key string) error {
	_, err := db.NewDelete().Model((*PhotoUpload)(nil)).Where("photo_key = ?", key).Exec(ctx)
	return err
}

// ExpirePhotoUploads drops the records older than their lifetime and returns their keys (to release the files).
func ExpirePhotoUploads(ctx context.Context, db bun.IDB, now time.Time) ([]string, error) {
	var keys []string
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		cutoff := now.Add(-PhotoUploadLifetime)
		if err := tx.NewSelect().Model((*PhotoUpload)(nil)).Column("photo_key").Where("created_at <= ?", cutoff).Scan(ctx, &keys); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*PhotoUpload)(nil)).Where("created_at <= ?", cutoff).Exec(ctx)
		return err
	})
	return keys, err
}
