//go:build tesseract

package document

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
)

func TestMRZLinesFromText(t *testing.T) {
	t.Parallel()
	got := MRZLinesFromText("noise\n P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1\n", 44)
	require.Equal(t, []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<1<",
	}, got)
}

// TestTesseractReadsCleanDocument runs the Tesseract back-end alone on a
// clean rendered passport: the zone must be found and the document number,
// nationality and dates read right. (Stock eng misreads O/0 in optional
// data often enough that full validity is not asserted; the bench measures it.)
func TestTesseractReadsCleanDocument(t *testing.T) {
	t.Parallel()
	e, err := NewEngine(Config{OCR: OCRTesseract, AllowSpecimen: true})
	require.NoError(t, err)
	doc, err := synth.Generate(11, synth.Options{Kind: synth.TD3})
	require.NoError(t, err)
	rd, err := e.ReadMRZDetail(context.Background(), doc.Front)
	require.NoError(t, err)
	require.NotNil(t, rd)
	require.Equal(t, OCRTesseract, rd.OCR)
	require.Len(t, rd.Result.Lines, 2)
	require.Equal(t, doc.Lines[1][:28], rd.Result.Lines[1][:28], "read %q want %q", rd.Result.Lines, doc.Lines)
}
