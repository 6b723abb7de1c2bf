package verify_test

import (
	"bytes"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/nfc/nfctest"
	"github.com/kycd/kycd/verify"
)

func TestOpenJPEG(t *testing.T) {
	t.Parallel()
	o, err := verify.FindOpenJPEG()
	if err != nil {
		t.Skipf("%v (scripts/setup/nfc.sh installs it)", err)
	}
	out, err := o.ToJPEG(nfctest.FaceJP2)
	require.NoError(t, err)
	img, err := jpeg.Decode(bytes.NewReader(out))
	require.NoError(t, err)
	require.Equal(t, nfctest.FaceWidth, img.Bounds().Dx())
	require.Equal(t, nfctest.FaceHeight, img.Bounds().Dy())

	_, err = o.ToJPEG([]byte("not an image"))
	require.ErrorContains(t, err, "not a JPEG 2000")
	broken := append(append([]byte(nil), nfctest.FaceJP2[:40]...), bytes.Repeat([]byte{0x42}, 60)...)
	_, err = o.ToJPEG(broken)
	require.ErrorContains(t, err, "opj_decompress")
}
