package verify_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// sentMail records e-mails instead of sending them (the SMTP path is tested in package tools).
type sentMail struct {
	mu   sync.Mutex
	msgs []otp.Text
	to   []string
}

func (m *sentMail) SendText(_ context.Context, to string, txt otp.Text) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs, m.to = append(m.msgs, txt), append(m.to, to)
	return nil
}

func (m *sentMail) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

// A list update that makes ongoing monitoring flag an approved applicant notifies the operator
// who asked for screening matches: one screening_match (not also a case_review), once, with no
// name of the applicant or the listed entity in it.
func TestMonitoringMatchNotifies(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		svc := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
		_, err := svc.Import(ctx, "ofac_sdn", writeSDN(t, rowKarimov))
		require.NoError(t, err)
		require.NoError(t, svc.Sync(ctx))
		mail := &sentMail{}
		e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckScreening: svc},
			func(jo *jobs.Options, d *tools.Deps) {
				d.Screening = svc
				jo.Notify = &verify.NotifyOptions{Mailer: mail}
			})
		op := e.Operator(t, "acct_a", models.ModeTest, verify.RoleViewer, "vera@ops.example.com")
		require.Nil(t, e.Call(t, op, "update_notification_settings", map[string]any{"email": true, "test_mode": true,
			"screening_match": "immediate", "case_review": "immediate"}, nil))

		brandt := approve(t, e, "Liselotte Adaeze Brandt-Okafor", "cust-9")
		_, err = svc.Import(ctx, "ofac_sdn", writeSDN(t, rowKarimov, rowBrandt))
		require.NoError(t, err)
		require.NoError(t, svc.Sync(ctx))
		waitFor(t, "the monitoring run to flag the new hit", func() bool { return status(t, e, brandt) == "needs_review" })
		waitFor(t, "the notification e-mail", func() bool { return mail.count() == 1 })
		_, err = svc.Monitor(ctx, verify.MonitorManual) // a re-run raises nothing new
		require.NoError(t, err)

		var l tools.NotificationList
		require.Nil(t, e.Call(t, op, "list_notifications", map[string]any{}, &l))
		require.Len(t, l.Data, 1)
		require.Equal(t, "screening_match", l.Data[0].Kind)
		require.Equal(t, brandt, l.Data[0].ObjectID)
		mail.mu.Lock()
		defer mail.mu.Unlock()
		require.Equal(t, "vera@ops.example.com", mail.to[0])
		require.Contains(t, mail.msgs[0].Subject, "1 new screening match")
		for _, name := range []string{"Brandt", "BRANDT", "Liselotte"} {
			require.False(t, strings.Contains(mail.msgs[0].Subject+mail.msgs[0].Body, name), "no names in a notification")
		}
	})
}
