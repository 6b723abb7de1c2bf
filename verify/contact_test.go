package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/models"
)

// The send limits count an email address the way mailboxes receive it: case and +tags do not
// make a new address; phone numbers are counted as their E.164 form.
func TestContactIndexForm(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Jane.Doe@Acme.example":       "jane.doe@acme.example",
		"jane.doe+promo@acme.example": "jane.doe@acme.example",
		"+tag@acme.example":           "+tag@acme.example", // a local part that is all tag stays
	} {
		require.Equal(t, want, indexForm(models.ContactEmail, in), in)
	}
	require.Equal(t, "+4915123456789", indexForm(models.ContactPhone, "+4915123456789"))
}

// A live key without a sender is told which setting to make; the log sender is not offered.
func TestContactNoSenderMessage(t *testing.T) {
	t.Parallel()
	c := &Contact{opts: ContactOptions{}}
	_, _, err := c.sender(models.ContactPhone, models.ModeLive)
	require.ErrorContains(t, err, "--sms-url")
	require.ErrorContains(t, err, "never used for live keys")
	c.opts.Dev = stubSender{}
	_, _, err = c.sender(models.ContactEmail, models.ModeLive)
	require.ErrorContains(t, err, "--smtp-url")
	s, ch, err := c.sender(models.ContactEmail, models.ModeTest)
	require.NoError(t, err)
	require.Equal(t, "log", ch)
	require.Equal(t, stubSender{}, s)
}

type stubSender struct{}

func (stubSender) Send(context.Context, otp.Message) error { return nil }
