package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Monitor re-screens every decided business (approved or needs_review) against the lists
// loaded now, without asking the register again: the stored ownership (the entity's and its
// parents' names) and the officers given are screened anew. A business whose sanctions
// findings change gets a new decision and a business.completed event; one that is unchanged is
// left alone. The screening.monitor job runs it after the applicants, so a list update reaches
// both.
func (b *Business) Monitor(ctx context.Context) (checked, changed int, err error) {
	byScope, err := b.MonitorScopes(ctx)
	for _, n := range byScope {
		checked, changed = checked+n.Checked, changed+n.Changed
	}
	return checked, changed, err
}

// BusinessMonitorCounts is what Monitor did for one account and mode.
type BusinessMonitorCounts struct{ Checked, Changed int }

// MonitorScopes is Monitor with its counts per account and mode.
func (b *Business) MonitorScopes(ctx context.Context) (map[db.Scope]BusinessMonitorCounts, error) {
	out := map[db.Scope]BusinessMonitorCounts{}
	if b.opts.Screening == nil || b.opts.Screening.Ready() != nil {
		return out, nil
	}
	after := ""
	for {
		rows, err := b.store.BusinessesToMonitor(ctx, after, 200)
		if err != nil {
			return out, err
		}
		if len(rows) == 0 {
			return out, nil
		}
		for i := range rows {
			ok, err := b.monitorOne(ctx, &rows[i])
			if err != nil {
				return out, fmt.Errorf("monitor business %s: %w", rows[i].ID, err)
			}
			sc := db.Scope{AccountID: rows[i].AccountID, Mode: rows[i].Mode}
			n := out[sc]
			n.Checked++
			if ok {
				n.Changed++
			}
			out[sc] = n
		}
		after = rows[len(rows)-1].ID
	}
}

// monitorOne re-screens one business and reports whether its decision changed.
func (b *Business) monitorOne(ctx context.Context, row *models.Business) (bool, error) {
	res, err := b.Open(row)
	if err != nil || res == nil {
		return false, err
	}
	in, err := b.Input(row)
	if err != nil {
		return false, err
	}
	sc := db.Scope{AccountID: row.AccountID, Mode: row.Mode}
	next := *res
	next.Reasons = nil
	for _, r := range res.Reasons {
		if !strings.HasPrefix(r.Code, "sanctions_hit_") && r.Code != ReasonScreeningUnavailable {
			next.Reasons = append(next.Reasons, r)
		}
	}
	next.Screening = []ScreenedName{}
	if err := b.screen(ctx, row.APIKeyID, sc, row.ID, in, res.Ownership, &next); err != nil {
		return false, err
	}
	if next.Reasons == nil {
		next.Reasons = []BusinessReason{}
	}
	decide(&next)
	if slices.Equal(monitoredFindings(res), monitoredFindings(&next)) {
		return false, nil
	}
	next.Sources.CheckedAt = b.store.Now()
	updated := false
	err = b.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		cur, err := tx.LockBusiness(ctx, sc, row.ID)
		if err != nil {
			return err
		}
		if !cur.UpdatedAt.Equal(row.UpdatedAt) || cur.DeletedAt != nil {
			return nil // changed meanwhile (rescreen_business, delete_business): the next run sees it
		}
		updated = true
		if err := b.setResult(cur, &next); err != nil {
			return err
		}
		if err := tx.UpdateBusiness(ctx, cur, "status", "risk_level", "lei", "result_sealed", "last_error", "decided_at"); err != nil {
			return err
		}
		return b.emit(ctx, tx, cur, &next)
	})
	return updated && err == nil, err
}

// monitoredFindings are what a monitoring run compares: the decision and each sanctions finding.
func monitoredFindings(r *BusinessResult) []string {
	out := []string{r.Status, r.RiskLevel}
	for _, x := range r.Reasons {
		if strings.HasPrefix(x.Code, "sanctions_hit_") || x.Code == ReasonScreeningUnavailable {
			out = append(out, fmt.Sprint(x.Code, x.Effect, x.Data["source"], x.Data["source_id"], x.Data["name"]))
		}
	}
	slices.Sort(out[2:])
	return out
}
