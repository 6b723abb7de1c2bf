package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

func newLinkVerification(t *testing.T, e *contactEnv, c tools.Caller, extra map[string]any) tools.CreatedVerification {
	t.Helper()
	args := map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "A B", "country": "DE"}}
	for k, v := range extra {
		args[k] = v
	}
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, c, "create_verification", args, &v))
	return v
}

// Sending by email with a test key: the link goes to the log sender, counts, is limited
// per address and to three per verification, and leaves only the channel and count in events.
func TestSendLinkEmail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newContactEnv(t, s, verify.ContactOptions{Product: "Acme Bank"})
		v := newLinkVerification(t, e, e.Test, map[string]any{"locale": "de"})

		var l tools.LinkSent
		require.Nil(t, e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "email": "Jane.Link@Acme.example"}, &l))
		require.True(t, strings.HasPrefix(l.ID, "lnk_"), l.ID)
		require.Equal(t, "log", l.Channel)
		require.Equal(t, 1, l.SendCount)
		require.Equal(t, 2, l.SendsLeft)
		require.WithinDuration(t, v.ExpiresAt, l.ExpiresAt, time.Millisecond)
		logged := e.log.String()
		require.Contains(t, logged, v.HostedURL)
		require.Contains(t, logged, "Bestätigungslink für Acme Bank", "German, from the verification's locale, naming who asks")

		// The address is stored sealed.
		rows, err := s.LinkSendsOf(t.Context(), db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}, v.ID)
		require.NoError(t, err)
		require.Len(t, rows, 1)
		require.NotContains(t, strings.ToLower(string(rows[0].Address)), "acme.example")
		addr, err := s.LinkAddress(&rows[0])
		require.NoError(t, err)
		require.Equal(t, "Jane.Link@acme.example", addr)

		// The per-address limit of the code senders: one a minute (a +tag is the same mailbox).
		te := e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "email": "jane.link+x@acme.example"}, nil)
		require.Equal(t, tools.CodeRateLimited, te.Code)
		require.Positive(t, te.RetryAfterSeconds)
		require.Contains(t, te.Message, "link was sent to this address")

		require.Nil(t, e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "email": "b@acme.example", "locale": "pt"}, &l))
		require.Equal(t, 2, l.SendCount)
		require.Contains(t, e.log.String(), "O seu link de verificação Acme Bank")
		require.Nil(t, e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "email": "c@acme.example", "locale": "en"}, &l))
		require.Equal(t, 3, l.SendCount)
		require.Equal(t, 0, l.SendsLeft)
		te = e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "email": "d@acme.example"}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "id", te.Field)
		require.Contains(t, te.Message, "3 times")

		evs := e.Events(t, e.Test, v.ID)
		var sent []linkEvent
		for _, ev := range evs {
			if ev.Type == verify.EventLinkSent {
				sent = append(sent, linkEvent{ev.Data["channel"], ev.Data["send_count"]})
			}
		}
		require.Equal(t, []linkEvent{{"log", float64(1)}, {"log", float64(2)}, {"log", float64(3)}}, sent)
		all := strings.ToLower(strings.Join(eventStrings(evs), " "))
		require.NotContains(t, all, "acme.example", "the address never appears in events")
		require.NotContains(t, all, "jane")
	})
}

type linkEvent struct{ channel, count any }

// Wrong input, wrong status, no sender for a live key, another account's verification.
func TestSendLinkRefusals(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	v := newLinkVerification(t, e, e.Test, nil)

	for _, c := range []struct {
		args  map[string]any
		field string
	}{
		{map[string]any{"id": v.ID}, "email"},
		{map[string]any{"id": v.ID, "email": "a@acme.example", "phone": "+49 151 23456789"}, "phone"},
		{map[string]any{"id": v.ID, "email": "not an address"}, "email"},
		{map[string]any{"id": v.ID, "phone": "+49 30 12345678"}, "phone"}, // a fixed line takes no SMS
		{map[string]any{"id": v.ID, "phone": "12"}, "phone"},
	} {
		te := e.Call(t, e.Test, "send_verification_link", c.args, nil)
		require.NotNil(t, te, "%v", c.args)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, "%v: %v", c.args, te)
		require.Equal(t, c.field, te.Field, "%v: %v", c.args, te)
	}

	// Isolation: another account, and the other mode, do not see the verification.
	for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
		te := e.Call(t, c, "send_verification_link", map[string]any{"id": v.ID, "email": "a@acme.example"}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
		require.Equal(t, "id", te.Field)
	}
	te := e.Call(t, e.ReadOnly, "send_verification_link", map[string]any{"id": v.ID, "email": "a@acme.example"}, nil)
	require.Equal(t, tools.CodePermissionDenied, te.Code)

	// A live key without a sender: unavailable, naming the flag; the log sender is never used.
	live := newLinkVerification(t, e, e.Live, nil)
	te = e.Call(t, e.Live, "send_verification_link", map[string]any{"id": live.ID, "email": "a@acme.example"}, nil)
	require.Equal(t, tools.CodeUnavailable, te.Code)
	require.Contains(t, te.Message, "--smtp-url")
	te = e.Call(t, e.Live, "send_verification_link", map[string]any{"id": live.ID, "phone": "+49 151 23456789"}, nil)
	require.Equal(t, tools.CodeUnavailable, te.Code)
	require.Contains(t, te.Message, "--sms-url")
	require.NotContains(t, e.log.String(), live.HostedURL)

	// Only pending or in-progress verifications.
	require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
	te = e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "email": "a@acme.example"}, nil)
	require.Equal(t, tools.CodeConflict, te.Code)
	require.Contains(t, te.Message, "cancelled")
	// An expired session is refused too, before the expiry job runs.
	short := newLinkVerification(t, e, e.Test, map[string]any{"expires_in": 60})
	e.advance(2 * time.Minute)
	te = e.Call(t, e.Test, "send_verification_link", map[string]any{"id": short.ID, "email": "a@acme.example"}, nil)
	require.Equal(t, tools.CodeConflict, te.Code)
}

// By SMS: the gateway gets the E.164 number and a link message; a failed delivery does not count.
func TestSendLinkPhone(t *testing.T) {
	t.Parallel()
	sms := &failingSender{fail: 1}
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{SMS: sms, Product: "Acme"})
	v := newLinkVerification(t, e, e.Test, map[string]any{"locale": "pt-BR"})

	te := e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "phone": "0151 23456789"}, nil)
	require.Equal(t, tools.CodeUnavailable, te.Code)
	require.Contains(t, te.Message, "could not be delivered")
	var l tools.LinkSent
	require.Nil(t, e.Call(t, e.Test, "send_verification_link", map[string]any{"id": v.ID, "phone": "0151 23456789"}, &l),
		"the failed send did not count against the one-a-minute limit")
	require.Equal(t, "sms", l.Channel)
	require.Equal(t, 1, l.SendCount)
	sms.mu.Lock()
	require.Len(t, sms.sent, 1)
	m := sms.sent[0]
	sms.mu.Unlock()
	require.Equal(t, "+4915123456789", m.To, "the applicant's country is the default region")
	require.Equal(t, otp.KindLink, m.Kind)
	require.Equal(t, v.HostedURL, m.Link)
	txt, err := otp.Render(m)
	require.NoError(t, err)
	require.Equal(t, "pt", txt.Lang)
	require.Contains(t, txt.SMS, v.HostedURL)
	require.Contains(t, txt.SMS, "Acme")
	require.NotContains(t, strings.Join(eventStrings(e.Events(t, e.Test, v.ID)), " "), "151")
}

// End to end over SMTP with a live key, through create_verification's send_link_to.
func TestSendLinkSMTP(t *testing.T) {
	t.Parallel()
	mc, mail := startMailCatcher(t)
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{Mail: mail, Product: "Acme"})

	v := newLinkVerification(t, e, e.Live, map[string]any{"locale": "de", "send_link_to": map[string]any{"email": "jane@acme.example"}})
	require.Nil(t, v.LinkError)
	require.NotNil(t, v.LinkSent)
	require.Equal(t, "smtp", v.LinkSent.Channel)
	require.Equal(t, v.ID, v.LinkSent.VerificationID)
	body := mc.only(t, "jane@acme.example")
	require.Contains(t, body, v.HostedURL)
	require.Contains(t, body, "Acme")
	require.Contains(t, body, "Minuten gültig", "the expiry, in German")
}

// create_verification's send_link_to: sent with the creation; a failed send keeps the
// verification and says why; a malformed target creates nothing.
func TestCreateVerificationSendLink(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})

	v := newLinkVerification(t, e, e.Test, map[string]any{"send_link_to": map[string]any{"email": "new@acme.example"}})
	require.NotNil(t, v.LinkSent)
	require.Equal(t, "log", v.LinkSent.Channel)
	require.Equal(t, 1, v.LinkSent.SendCount)
	require.Contains(t, e.log.String(), v.HostedURL)
	evs := e.Events(t, e.Test, v.ID)
	require.Equal(t, verify.EventLinkSent, evs[len(evs)-1].Type)
	require.NotContains(t, strings.Join(eventStrings(evs), " "), "new@")

	bad := newLinkVerification(t, e, e.Test, map[string]any{"send_link_to": map[string]any{"phone": "+49 30 12345678"}})
	require.Nil(t, bad.LinkSent)
	require.NotNil(t, bad.LinkError)
	require.Equal(t, tools.CodeInvalidArgument, bad.LinkError.Code)
	require.Equal(t, "send_link_to.phone", bad.LinkError.Field)
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": bad.ID}, &got), "the verification exists all the same")
	require.Equal(t, "pending", string(got.Status))

	live := newLinkVerification(t, e, e.Live, map[string]any{"send_link_to": map[string]any{"email": "new@acme.example"}})
	require.NotNil(t, live.LinkError)
	require.Equal(t, tools.CodeUnavailable, live.LinkError.Code)
	require.Contains(t, live.LinkError.Message, "--smtp-url")

	te := e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
		"send_link_to": map[string]any{"email": "a@acme.example", "phone": "+49 151 23456789"}}, nil)
	require.Equal(t, tools.CodeInvalidArgument, te.Code)
	require.Equal(t, "send_link_to.phone", te.Field)
}

// String is everything the log sender wrote.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Erasing the applicant erases the addresses its links went to.
func TestSendLinkErasure(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e := newContactEnv(t, s, verify.ContactOptions{})
	v := newLinkVerification(t, e, e.Test, map[string]any{"send_link_to": map[string]any{"email": "gone@acme.example"}})
	require.NotNil(t, v.LinkSent)
	require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"id": v.ApplicantID, "reason": "request"}, nil))
	rows, err := s.LinkSendsOf(t.Context(), db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}, v.ID)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Empty(t, rows[0].Address)
	require.Empty(t, rows[0].AddressHash)
}
