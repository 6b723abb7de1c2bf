package synth

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The ICAO 9303 part 4 example passport must come out exactly as printed
// in the specification.
func TestMRZLinesICAOExample(t *testing.T) {
	t.Parallel()
	id := Identity{Kind: TD3, DocumentCode: "P", IssuingState: "UTO", Nationality: "UTO",
		Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "L898902C3",
		DateOfBirth: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15", OptionalData: "ZE184226B"}
	lines, err := MRZLines(id)
	require.NoError(t, err)
	require.Equal(t, []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}, lines)
	td1 := Identity{Kind: TD1, DocumentCode: "I", IssuingState: "UTO", Nationality: "UTO",
		Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "D23145890",
		DateOfBirth: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15"}
	lines, err = MRZLines(td1)
	require.NoError(t, err)
	require.Equal(t, "I<UTOD231458907<<<<<<<<<<<<<<<", lines[0])
	require.Equal(t, "7408122F1204159UTO<<<<<<<<<<<6", lines[1])
	require.Equal(t, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<", lines[2])
}

func TestMRZLinesRejects(t *testing.T) {
	t.Parallel()
	_, err := MRZLines(Identity{Kind: "TD9", DateOfBirth: "1990-01-01", ExpiryDate: "2030-01-01"})
	require.ErrorContains(t, err, "unknown document kind")
	_, err = MRZLines(Identity{Kind: TD3, DateOfBirth: "1990", ExpiryDate: "2030-01-01"})
	require.ErrorContains(t, err, "YYYY-MM-DD")
	_, err = MRZLines(Identity{Kind: TD3, DocumentNumber: "1234567890", DateOfBirth: "1990-01-01", ExpiryDate: "2030-01-01"})
	require.ErrorContains(t, err, "longer than 9")
	_, err = MRZLines(Identity{Kind: TD3, IssuingState: "D", Nationality: "D<<", DateOfBirth: "1990-01-01", ExpiryDate: "2030-01-01"})
	require.ErrorContains(t, err, "3 characters", "a short state code is an error, not a panic")
}

func TestRandomIdentitiesHaveValidLines(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 200; i++ {
		kind := TD3
		if i%2 == 1 {
			kind = TD1
		}
		id := RandomIdentity(r, kind)
		lines, err := MRZLines(id)
		require.NoError(t, err)
		width := map[Kind]int{TD1: 30, TD3: 44}[kind]
		for _, l := range lines {
			require.Len(t, l, width)
		}
		if kind == TD3 {
			require.Equal(t, CheckDigit(lines[1][0:9]), lines[1][9])
			require.Equal(t, CheckDigit(lines[1][13:19]), lines[1][19])
			require.Equal(t, CheckDigit(lines[1][0:10]+lines[1][13:20]+lines[1][21:43]), lines[1][43])
		} else {
			require.Equal(t, CheckDigit(lines[0][5:14]), lines[0][14])
			require.Equal(t, CheckDigit(lines[0][5:30]+lines[1][0:7]+lines[1][8:15]+lines[1][18:29]), lines[1][29])
		}
		sur, given := MRZNames(id)
		require.NotEmpty(t, sur)
		_ = given
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, _, err := RandomDocument(42, TD1)
	require.NoError(t, err)
	b, _, err := RandomDocument(42, TD1)
	require.NoError(t, err)
	require.Equal(t, a.Front, b.Front)
	require.Equal(t, a.Back, b.Back)
	require.Equal(t, a.Identity, b.Identity)
	c, _, err := RandomDocument(43, TD1)
	require.NoError(t, err)
	require.NotEqual(t, a.Identity, c.Identity)
}

func TestRenderGeometry(t *testing.T) {
	t.Parallel()
	doc, err := Generate(3, Options{Kind: TD3, Width: 1200, Height: 850})
	require.NoError(t, err)
	img, format, err := image.Decode(bytes.NewReader(doc.Front))
	require.NoError(t, err)
	require.Equal(t, "png", format)
	require.Equal(t, image.Rect(0, 0, 1200, 850), img.Bounds())
	require.Nil(t, doc.Back)
	// Portrait left of centre and above the MRZ, MRZ in the lower part.
	require.Less(t, doc.PortraitBox.Max.X, 600)
	require.Less(t, doc.PortraitBox.Max.Y, doc.MRZBox.Min.Y)
	require.Greater(t, doc.MRZBox.Min.Y, 500)
	require.Greater(t, doc.MRZBox.Dx(), 800)
	// The MRZ must be dark ink on light paper.
	g := img.At(doc.MRZBox.Min.X-30, doc.MRZBox.Min.Y-30)
	r, _, _, _ := g.RGBA()
	require.Greater(t, r, uint32(0x9000))

	_, err = Generate(3, Options{Kind: TD1, Width: 10, Height: 10})
	require.ErrorContains(t, err, "out of range")
	_, err = Generate(3, Options{Kind: TD1, Fill: 2})
	require.ErrorContains(t, err, "fill")
}
