package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/tools"
)

func TestReadMRZ(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	// ICAO 9303 part 4 specimen (Anna Maria Eriksson, Utopia); UTO is a specimen code, so the
	// state check fails while every check digit agrees.
	const td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	var r mrz.Result
	require.Nil(t, e.Call(t, e.Test, "read_mrz", map[string]any{"text": td3}, &r))
	require.Equal(t, mrz.FormatTD3, r.Format)
	require.Equal(t, "ERIKSSON", r.Surname)
	require.Equal(t, "ANNA MARIA", r.GivenNames)
	require.Equal(t, "L898902C3", r.DocumentNumber)
	require.Equal(t, "1974-08-12", r.DateOfBirth)
	for _, c := range r.Checks {
		require.True(t, c.Valid, c.Field)
	}

	// An OCR slip (O for 0 in the date of birth) is repaired only on request, and reported.
	slip := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F1204159ZE184226B<<<<<10"
	var raw, fixed mrz.Result
	require.Nil(t, e.Call(t, e.Test, "read_mrz", map[string]any{"text": slip}, &raw))
	require.False(t, raw.Valid)
	require.Nil(t, e.Call(t, e.Test, "read_mrz", map[string]any{"text": slip, "repair": true}, &fixed))
	require.Equal(t, "1974-08-12", fixed.DateOfBirth)
	require.NotEmpty(t, fixed.Corrections)

	te := e.Call(t, e.Test, "read_mrz", map[string]any{"text": "hello world"}, nil)
	require.Equal(t, tools.CodeInvalidArgument, te.Code)
	require.Equal(t, "text", te.Field)
}
