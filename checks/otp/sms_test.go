package otp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
)

type gatewayReq struct {
	method, ctype, auth, extra string
	body                       []byte
}

func gateway(t *testing.T, status int, reply string) (*httptest.Server, func() gatewayReq) {
	t.Helper()
	var mu sync.Mutex
	var last gatewayReq
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = gatewayReq{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.Header.Get("X-Account"), b}
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv, func() gatewayReq { mu.Lock(); defer mu.Unlock(); return last }
}

func TestSMSJSON(t *testing.T) {
	t.Parallel()
	srv, last := gateway(t, http.StatusAccepted, `{"id":"m1"}`)
	s, err := otp.NewSMSSender(otp.SMSConfig{
		URL: srv.URL + "/v1/messages", AuthHeader: "Bearer sk_gateway_secret",
		Headers: map[string]string{"X-Account": "acme"},
		Body:    `{"destination":"{{to}}","message":{"body":"{{text}}"},"sender":"ACME"}`,
		Product: `Acme "Bank"`,
	})
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), otp.Message{To: "+4915123456789", Kind: otp.KindCode, Code: "314159", Locale: "de"}))
	r := last()
	require.Equal(t, http.MethodPost, r.method)
	require.Equal(t, "application/json", r.ctype)
	require.Equal(t, "Bearer sk_gateway_secret", r.auth)
	require.Equal(t, "acme", r.extra)
	var got struct {
		Destination string                `json:"destination"`
		Message     struct{ Body string } `json:"message"`
	}
	require.NoError(t, json.Unmarshal(r.body, &got), string(r.body))
	require.Equal(t, "+4915123456789", got.Destination)
	require.Equal(t, `Ihr Acme "Bank"-Code lautet 314159. 10 Minuten gültig. Nicht weitergeben.`, got.Message.Body)
}

func TestSMSForm(t *testing.T) {
	t.Parallel()
	srv, last := gateway(t, http.StatusOK, "OK")
	s, err := otp.NewSMSSender(otp.SMSConfig{URL: srv.URL, Format: "form", Body: "To={{to}}&Body={{text}}&From=ACME", AuthHeader: "Basic dTpw"})
	require.NoError(t, err)
	link := "https://verify.acme.example/v/tok_1?a=1&b=2"
	require.NoError(t, s.Send(context.Background(), otp.Message{To: "+351912345678", Kind: otp.KindLink, Link: link, Locale: "pt"}))
	r := last()
	require.Equal(t, "application/x-www-form-urlencoded", r.ctype)
	v, err := url.ParseQuery(string(r.body))
	require.NoError(t, err)
	require.Equal(t, "+351912345678", v.Get("To"))
	require.Equal(t, "ACME", v.Get("From"))
	require.Contains(t, v.Get("Body"), link, "& in the link does not split the form")
	require.Contains(t, v.Get("Body"), "link de verificação")
}

func TestSMSErrors(t *testing.T) {
	t.Parallel()
	srv, _ := gateway(t, http.StatusPaymentRequired, `{"error":"insufficient credit"}`)
	s, err := otp.NewSMSSender(otp.SMSConfig{URL: srv.URL + "?api_key=query-secret", AuthHeader: "Bearer header-secret"})
	require.NoError(t, err)
	ctx := context.Background()
	msg := otp.Message{To: "+4915123456789", Kind: otp.KindCode, Code: "271828"}
	err = s.Send(ctx, msg)
	require.ErrorContains(t, err, "402")
	require.ErrorContains(t, err, "insufficient credit")
	for _, secret := range []string{"header-secret", "query-secret", "271828"} {
		require.NotContains(t, err.Error(), secret)
	}
	for _, to := range []string{"015123456789", "+49 151 23456789", "+4915123456789\r\n", "+0123456789", "+1234"} {
		require.Error(t, s.Send(ctx, otp.Message{To: to, Kind: otp.KindCode, Code: "271828"}), to)
	}
	// Unreachable gateway: the error names the host, not the URL with its key.
	dead := httptest.NewServer(http.NotFoundHandler())
	u := dead.URL
	dead.Close()
	s, err = otp.NewSMSSender(otp.SMSConfig{URL: u + "/send?api_key=query-secret", Timeout: time.Second})
	require.NoError(t, err)
	err = s.Send(ctx, msg)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "query-secret")

	for _, bad := range []otp.SMSConfig{
		{URL: "ftp://x"},
		{URL: "/relative"},
		{URL: "https://x", Format: "xml"},
		{URL: "https://x", Body: `{"to":{{to}},"text":"{{text}}"}`}, // placeholder outside quotes
		{URL: "https://x", Body: `{"to":"{{to}}"}`},                 // no text
		{URL: "https://x", AuthHeader: "Bearer a\r\nX-Evil: 1"},
		{URL: "https://x", Headers: map[string]string{"X-A": "b\nc"}},
	} {
		_, err := otp.NewSMSSender(bad)
		require.Error(t, err, "%+v", bad)
	}
}

// A gateway's 404, 410 and 422 refuse the number (a bounce the caller remembers); other
// refusals are about the account, the template or the gateway.
func TestSMSBounces(t *testing.T) {
	t.Parallel()
	msg := otp.Message{To: "+4915123456789", Kind: otp.KindCode, Code: "271828"}
	for status, want := range map[int]string{
		http.StatusNotFound: "sms_404", http.StatusGone: "sms_410", http.StatusUnprocessableEntity: "sms_422",
		http.StatusBadRequest: "", http.StatusPaymentRequired: "", http.StatusTooManyRequests: "", http.StatusBadGateway: "",
	} {
		srv, _ := gateway(t, status, `{"error":"x"}`)
		s, err := otp.NewSMSSender(otp.SMSConfig{URL: srv.URL})
		require.NoError(t, err)
		err = s.Send(context.Background(), msg)
		require.Error(t, err)
		reason, bounced := otp.Bounced(err)
		require.Equal(t, want != "", bounced, "%d: %v", status, err)
		require.Equal(t, want, reason)
	}
}

func TestLogSender(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := otp.LogSender{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	require.NoError(t, l.Send(context.Background(), otp.Message{To: "jane@example.com", Kind: otp.KindCode, Code: "161803"}))
	require.Contains(t, buf.String(), "development only")
	require.Contains(t, buf.String(), "161803")
	require.ErrorIs(t, l.Send(context.Background(), otp.Message{To: "a\r\nb", Kind: otp.KindCode, Code: "161803"}), otp.ErrHeaderInjection)
	var _ otp.Sender = l
	var _ otp.Sender = (*otp.SMTPSender)(nil)
	var _ otp.Sender = (*otp.SMSSender)(nil)
	_ = strings.TrimSpace
}
