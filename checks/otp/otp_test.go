package otp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func TestNewCode(t *testing.T) {
	t.Parallel()
	seen := map[byte]int{}
	leadingZero := false
	for i := 0; i < 3000; i++ {
		c, err := otp.NewCode()
		require.NoError(t, err)
		require.Len(t, c, otp.CodeDigits)
		for j := 0; j < len(c); j++ {
			require.True(t, c[j] >= '0' && c[j] <= '9')
			seen[c[j]]++
		}
		leadingZero = leadingZero || c[0] == '0'
	}
	require.Len(t, seen, 10)
	require.True(t, leadingZero, "leading zeros are kept")
	for d, n := range seen {
		// 18000 digits, 1800 expected per digit; a fair source stays far inside this band.
		require.InDelta(t, 1800, n, 300, "digit %c", d)
	}
}

func TestHashers(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]otp.Hasher{
		"hmac":   otp.HMACHasher{KeyID: "k1", Key: key},
		"sha256": otp.SaltedSHA256{},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := h.Hash("123456", "email:jane@example.com")
			require.NoError(t, err)
			require.NotContains(t, s, "123456")
			require.True(t, h.Verify(s, "123456", "email:jane@example.com"))
			require.False(t, h.Verify(s, "123457", "email:jane@example.com"))
			require.False(t, h.Verify(s, "123456", "email:john@example.com"), "bound to the address")
			require.False(t, h.Verify(s[:len(s)-2], "123456", "email:jane@example.com"))
			require.False(t, h.Verify("", "123456", "x"))
			require.False(t, h.Verify("a$b$c$d", "123456", "x"))
			s2, err := h.Hash("123456", "email:jane@example.com")
			require.NoError(t, err)
			if name == "sha256" {
				require.NotEqual(t, s, s2, "per-code salt")
			}
		})
	}
	// Rotation: a hash made under k1 verifies after k2 becomes current.
	old := otp.HMACHasher{KeyID: "k1", Key: key}
	s, err := old.Hash("000042", "b")
	require.NoError(t, err)
	rotated := otp.HMACHasher{KeyID: "k2", Key: []byte(strings.Repeat("z", 32)), Old: map[string][]byte{"k1": key}}
	require.True(t, rotated.Verify(s, "000042", "b"))
	require.False(t, otp.HMACHasher{KeyID: "k2", Key: []byte(strings.Repeat("z", 32))}.Verify(s, "000042", "b"))
	// Cross-type hashes never verify.
	require.False(t, otp.SaltedSHA256{}.Verify(s, "000042", "b"))
	_, err = otp.HMACHasher{Key: []byte("short")}.Hash("123456", "b")
	require.Error(t, err)
}

func TestNormalizeCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"123456": "123456", "123 456": "123456", "123-456": "123456", " 012345 ": "012345"} {
		got, ok := otp.NormalizeCode(in)
		require.True(t, ok, in)
		require.Equal(t, want, got)
	}
	for _, in := range []string{"", "12345", "1234567", "12345a", "１２３４５６", "123456\n", strings.Repeat("1", 1000)} {
		_, ok := otp.NormalizeCode(in)
		require.False(t, ok, in)
	}
}

func TestPolicyVerify(t *testing.T) {
	t.Parallel()
	p := otp.DefaultPolicy
	h := otp.HMACHasher{KeyID: "k", Key: key}
	t0 := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	const b = "email:jane@example.com"

	_, err := p.Verify(otp.State{}, "123456", t0, h, b)
	require.ErrorIs(t, err, otp.ErrNoCode)

	st, code, err := p.Issue(otp.State{}, t0, h, b)
	require.NoError(t, err)
	require.Equal(t, t0.Add(10*time.Minute), st.ExpiresAt)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	// Four wrong guesses, then the right one still works.
	for i := 1; i <= 4; i++ {
		st, err = p.Verify(st, wrong, t0.Add(time.Minute), h, b)
		require.ErrorIs(t, err, otp.ErrMismatch)
		require.Equal(t, i, st.Attempts)
		require.Equal(t, 5-i, p.AttemptsLeft(st))
	}
	ok, err := p.Verify(st, code[:3]+" "+code[3:], t0.Add(2*time.Minute), h, b)
	require.NoError(t, err)
	require.True(t, ok.Verified)
	_, err = p.Verify(ok, code, t0.Add(3*time.Minute), h, b)
	require.ErrorIs(t, err, otp.ErrAlreadyUsed, "single use")

	// The fifth wrong guess burns the code; the right one is refused afterwards.
	st, err = p.Verify(st, "garbage", t0.Add(time.Minute), h, b)
	require.ErrorIs(t, err, otp.ErrTooManyAttempts)
	_, err = p.Verify(st, code, t0.Add(time.Minute), h, b)
	require.ErrorIs(t, err, otp.ErrTooManyAttempts)

	// Expiry: valid just before ten minutes, expired at ten.
	st, code, err = p.Issue(otp.State{}, t0, h, b)
	require.NoError(t, err)
	_, err = p.Verify(st, code, t0.Add(10*time.Minute-time.Nanosecond), h, b)
	require.NoError(t, err)
	_, err = p.Verify(st, code, t0.Add(10*time.Minute), h, b)
	require.ErrorIs(t, err, otp.ErrExpired)
	// The code is bound to its address.
	_, err = p.Verify(st, code, t0.Add(time.Minute), h, "email:john@example.com")
	require.ErrorIs(t, err, otp.ErrMismatch)
}

func TestPolicyResend(t *testing.T) {
	t.Parallel()
	p := otp.DefaultPolicy
	h := otp.SaltedSHA256{}
	t0 := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	st, first, err := p.Issue(otp.State{}, t0, h, "b")
	require.NoError(t, err)

	_, _, err = p.Issue(st, t0.Add(59*time.Second), h, "b")
	var le *otp.LimitError
	require.ErrorAs(t, err, &le)
	require.ErrorIs(t, err, otp.ErrResendTooSoon)
	require.Equal(t, time.Second, le.RetryAfter)

	// Sends 2..5 a minute apart; a resend replaces the code and resets attempts.
	now := t0
	for i := 2; i <= 5; i++ {
		now = now.Add(time.Minute)
		var code string
		st, code, err = p.Issue(st, now, h, "b")
		require.NoError(t, err, "send %d", i)
		require.Zero(t, st.Attempts)
		if code != first {
			_, verr := p.Verify(st, first, now, h, "b")
			require.ErrorIs(t, verr, otp.ErrMismatch, "the old code dies with a resend")
		}
	}
	require.Len(t, st.Sends, 5)
	// The sixth within the hour is refused until the first send is an hour old.
	now = now.Add(10 * time.Minute) // t0+14m
	_, _, err = p.Issue(st, now, h, "b")
	require.ErrorIs(t, err, otp.ErrTooManySends)
	require.ErrorAs(t, err, &le)
	require.Equal(t, 46*time.Minute, le.RetryAfter)
	require.Contains(t, err.Error(), "retry in 46m0s")
	st2, _, err := p.Issue(st, t0.Add(time.Hour), h, "b")
	require.NoError(t, err)
	require.Len(t, st2.Sends, 5, "sends older than an hour are forgotten")
	require.True(t, errors.Is(p.CanSend(st2, t0.Add(time.Hour+time.Second)), otp.ErrResendTooSoon))
}

func TestRender(t *testing.T) {
	t.Parallel()
	cases := []struct {
		locale, lang, subject, body string
	}{
		{"", "en", "Your Acme verification code", "Your Acme verification code is 012345"},
		{"en-GB", "en", "Your Acme verification code", "valid for 10 minutes"},
		{"de", "de", "Ihr Bestätigungscode für Acme", "Ihr Bestätigungscode für Acme lautet 012345"},
		{"de-AT", "de", "Ihr Bestätigungscode für Acme", "Er ist 10 Minuten gültig"},
		{"pt-BR", "pt", "O seu código de verificação Acme", "O seu código de verificação Acme é 012345"},
		{"pt_PT", "pt", "O seu código de verificação Acme", "válido durante 10 minutos"},
		{"fr", "en", "Your Acme verification code", "012345"},
	}
	for _, c := range cases {
		txt, err := otp.Render(otp.Message{To: "a@b.c", Kind: otp.KindCode, Code: "012345", Locale: c.locale, Product: "Acme"})
		require.NoError(t, err)
		require.Equal(t, c.lang, txt.Lang)
		require.Equal(t, c.subject, txt.Subject)
		require.Contains(t, txt.Body, c.body)
		require.Contains(t, txt.SMS, "012345")
	}
	link := "https://verify.acme.example/v/tok_123"
	for lang, want := range map[string]string{"en": "verification link", "de": "Bestätigungslink", "pt": "link de verificação"} {
		txt, err := otp.Render(otp.Message{Kind: otp.KindLink, Link: link, Locale: lang, TTL: 30 * time.Minute})
		require.NoError(t, err)
		require.Contains(t, txt.Subject, want)
		require.Contains(t, txt.Body, link)
		require.Contains(t, txt.Body, "30")
	}
	bad := []otp.Message{
		{Kind: otp.KindCode, Code: "12345"},
		{Kind: otp.KindCode, Code: "12 3456"},
		{Kind: otp.KindLink, Link: "javascript:alert(1)"},
		{Kind: otp.KindLink, Link: "http://evil.example/"},
		{Kind: "other", Code: "123456"},
		{Kind: otp.KindCode, Code: "123456", Product: strings.Repeat("x", 65)},
	}
	for _, m := range bad {
		_, err := otp.Render(m)
		require.ErrorIs(t, err, otp.ErrInvalidMessage, "%+v", m)
	}
	for _, m := range []otp.Message{
		{Kind: otp.KindCode, Code: "123456", To: "a@b.c\r\nBcc: x@y.z"},
		{Kind: otp.KindCode, Code: "123456", Product: "Acme\nBcc: x@y.z"},
		{Kind: otp.KindLink, Link: "https://a.example/\r\nX: y"},
		{Kind: otp.KindCode, Code: "123456", Locale: "de\r\n"},
	} {
		_, err := otp.Render(m)
		require.ErrorIs(t, err, otp.ErrHeaderInjection)
	}
}
