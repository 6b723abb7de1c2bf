package tools_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// bouncingSender refuses the recipients it lists for good (as an SMTP 550 or an SMS
// gateway's 410 would) and delivers the rest.
type bouncingSender struct {
	mu     sync.Mutex
	refuse map[string]string
	sent   []string
}

func (b *bouncingSender) Send(_ context.Context, m otp.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if reason, ok := b.refuse[m.To]; ok {
		return &otp.BounceError{Reason: reason, Err: fmt.Errorf("refused %s", m.To)}
	}
	b.sent = append(b.sent, m.To)
	return nil
}

func (b *bouncingSender) calls() int { b.mu.Lock(); defer b.mu.Unlock(); return len(b.sent) }

// An address or number that bounced is remembered (by blind index, per account): later checks
// say previously_bounced and no further code is sent to it.
func TestContactBounceMemory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		mail := &bouncingSender{refuse: map[string]string{"gone@acme.example": "smtp_550_5.1.1"}}
		sms := &bouncingSender{refuse: map[string]string{"+4915123456789": "sms_410"}}
		e := newContactEnv(t, s, verify.ContactOptions{Mail: mail, SMS: sms})

		te := e.Call(t, e.Live, "verify_email", map[string]any{"email": "gone@acme.example", "send_code": true}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, "%+v", te)
		require.Equal(t, "email", te.Field)
		require.Contains(t, te.Message, "refused for good")

		var r tools.EmailCheck
		require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "Gone+x@ACME.example"}, &r))
		require.Contains(t, reasonCodes(r.Reasons), verify.ReasonPreviouslyBounced, "a variant of the mailbox is the same mailbox")
		require.Equal(t, "high", r.RiskLevel)
		te = e.Call(t, e.Live, "verify_email", map[string]any{"email": "gone@acme.example", "send_code": true}, nil)
		require.NotNil(t, te)
		require.Equal(t, "email", te.Field)
		require.Contains(t, te.Message, "ask the applicant for another")
		require.Zero(t, mail.calls())

		// Other addresses and the other mode are not affected.
		require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "jane@acme.example", "send_code": true}, nil))
		require.Equal(t, 1, mail.calls())
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "gone@acme.example"}, &r))
		require.NotContains(t, reasonCodes(r.Reasons), verify.ReasonPreviouslyBounced)

		te = e.Call(t, e.Live, "verify_phone", map[string]any{"phone": "+49 151 23456789", "send_code": true}, nil)
		require.NotNil(t, te)
		require.Equal(t, "phone", te.Field)
		var p tools.PhoneCheck
		require.Nil(t, e.Call(t, e.Live, "verify_phone", map[string]any{"phone": "0151 23456789", "country": "DE"}, &p))
		require.Contains(t, reasonCodes(p.Reasons), verify.ReasonPreviouslyBounced)

		// No address in clear in the memory; forgotten after db.BounceMemory.
		var rows []db.ContactBounce
		require.NoError(t, s.DB.NewSelect().Model(&rows).Scan(context.Background()))
		require.Len(t, rows, 2)
		for _, b := range rows {
			require.Len(t, b.AddressHash, 64)
			require.NotContains(t, b.Reason, "acme")
		}
		e.advance(db.BounceMemory + 1)
		require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "gone@acme.example"}, &r))
		require.NotContains(t, reasonCodes(r.Reasons), verify.ReasonPreviouslyBounced)
	})
}

// Applicants' sessions from one IP may ask for only so many codes an hour, across addresses
// and verifications; another IP, and API callers, are not held to it.
func TestContactIPSendBudget(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newContactEnv(t, s, verify.ContactOptions{IPSendsPerHour: 3})
		session := func(ip string) tools.Caller {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"email"}, "applicant": map[string]any{"name": "A B"}}, &v))
			c, err := tools.AuthenticateSession(t.Context(), e.Reg.Deps(), sessionToken(t, v))
			require.NoError(t, err)
			require.Nil(t, e.Call(t, c, "record_consent", map[string]any{"id": v.ID, "statement": "I agree", "locale": "en"}, nil))
			c.ClientIP = ip
			return c
		}
		send := func(c tools.Caller, n int) *tools.Error {
			return e.Call(t, c, "verify_email", map[string]any{"email": fmt.Sprintf("person%d@acme.example", n), "send_code": true, "verification_id": c.VerificationID}, nil)
		}
		a1, a2 := session("203.0.113.7"), session("203.0.113.7")
		require.Nil(t, send(a1, 1))
		require.Nil(t, send(a1, 2))
		require.Nil(t, send(a2, 3))
		te := send(a2, 4)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeRateLimited, te.Code)
		require.True(t, strings.Contains(te.Message, "network"), te.Message)
		require.Positive(t, te.RetryAfterSeconds)
		require.Nil(t, send(session("198.51.100.9"), 5), "another IP has its own budget")
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "person6@acme.example", "send_code": true}, nil), "API callers are not counted by IP")
		e.advance(61 * time.Minute)
		require.Nil(t, send(a1, 7), "the window is an hour")
	})
}

// An address confirmed with a code joins the applicant's verified profile
// (get_applicant's confirmed_contacts) and leaves it with the applicant's erasure.
func TestConfirmedContactsInApplicantProfile(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newContactEnv(t, s, verify.ContactOptions{})
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"email", "phone"}, "external_ref": "cust-9",
			"applicant": map[string]any{"name": "Jane Roe", "country": "DE"}}, &v))
		var a tools.Applicant
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-9"}, &a))
		require.Empty(t, a.ConfirmedContacts)

		var chk tools.EmailCheck
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "Jane@ACME.example", "send_code": true, "verification_id": v.ID}, &chk))
		var ph tools.PhoneCheck
		require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "0151 23456789", "send_code": true, "verification_id": v.ID}, &ph))
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-9"}, &a))
		require.Empty(t, a.ConfirmedContacts, "sent is not confirmed")
		require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": chk.CodeID, "code": e.log.code(t, "Jane@acme.example")}, nil))
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-9"}, &a))
		require.Len(t, a.ConfirmedContacts, 1)
		require.Equal(t, "email", a.ConfirmedContacts[0].Kind)
		require.Equal(t, "Jane@acme.example", a.ConfirmedContacts[0].Address)
		require.Equal(t, v.ID, a.ConfirmedContacts[0].VerificationID)

		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"external_ref": "cust-9"}, nil))
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"id": a.ID}, &a))
		require.Empty(t, a.ConfirmedContacts)
	})
}
