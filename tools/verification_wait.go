package tools

import (
	"context"
	"fmt"
	"slices"
)

// finalStatuses end a wait: nothing changes a verification after them.
var finalStatuses = []string{"approved", "needs_review", "rejected", "expired", "cancelled"}

// waitForVerification lets create_verification and get_verification wait (wait_seconds)
// until the verification is decided or ended, instead of the caller polling.
var waitForVerification = &Wait[Verification]{
	Done: func(v Verification) bool { return slices.Contains(finalStatuses, v.Status) },
	Reload: func(ctx context.Context, d *Deps, c Caller, v Verification) (Verification, error) {
		row, err := getVerification(ctx, d, c, v.ID)
		if err != nil {
			return Verification{}, err
		}
		out, err := toVerification(d, row)
		if err == nil {
			err = withQuestionnaire(ctx, d, row, &out)
		}
		return out, err
	},
	Describe: func(v Verification) string {
		return fmt.Sprintf("verification %s is %s", v.ID, v.Status)
	},
}
