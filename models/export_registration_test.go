package models

import (
	"context"

	"github.com/uptrace/bun"
)

// StoreRegistration stores a checked registration the way SubmitRegistration does once its checks have passed (in
// one transaction, with its audit row), so that tests reach the database's own rules (the seats triggers, the
// unique person per plan, a resubmission) whatever the checks would have said.
func StoreRegistration(ctx context.Context, db bun.IDB, actor Actor, rc RegistrationCheck, photo RegPhoto) (*Registration, error) {
	var reg *Registration
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		reg, err = (&submission{rc: rc, channel: ChannelSelf, photo: photo}).save(ctx, tx, actor)
		return err
	})
	return reg, err
}
