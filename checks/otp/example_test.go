package otp_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/kycd/kycd/checks/otp"
)

// Example shows the life of one code: issue, a wrong guess, the right one, and a resend
// that comes too early. Storage and delivery are the caller's.
func Example() {
	h := otp.HMACHasher{KeyID: "2026-12", Key: []byte("an example key of 32 bytes or more!")}
	binding := "email:jane@example.com:contact"
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

	st, code, err := otp.DefaultPolicy.Issue(otp.State{}, now, h, binding)
	if err != nil {
		panic(err)
	}
	// … store st, send code with a Sender …
	wrong := "000000"
	if code == wrong {
		wrong = "999999"
	}
	st, err = otp.DefaultPolicy.Verify(st, wrong, now.Add(time.Minute), h, binding)
	fmt.Println(err, otp.DefaultPolicy.AttemptsLeft(st))
	st, err = otp.DefaultPolicy.Verify(st, code, now.Add(2*time.Minute), h, binding)
	fmt.Println(err, st.Verified)
	_, _, err = otp.DefaultPolicy.Issue(st, now.Add(30*time.Second), h, binding)
	var le *otp.LimitError
	fmt.Println(errors.As(err, &le), le.RetryAfter)
	// Output:
	// otp: the code is wrong 4
	// <nil> true
	// true 30s
}
