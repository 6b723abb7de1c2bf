package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// A document photo can be sent as a multipart file (curl -F image=@passport.jpg): the adapter
// turns files into data URLs and fields into typed arguments, for any tool, and names a field
// that does not exist.
func TestMultipartUploads(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
	require.NoError(t, err)
	te := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckDocument: docs})
	h, err := rest.New(te.Reg, rest.Options{})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	secret, _, err := s.CreateAPIKey(context.Background(), db.NewKey{AccountID: "acct_a", Name: "m", Mode: models.ModeTest, Scopes: mustScopes(t, "")})
	require.NoError(t, err)

	doc, err := synth.Render(synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "NLD", Surname: "DE BRUIJN", GivenNames: "WILLEKE LISELOTTE",
		DocumentNumber: "SPECI2014", Nationality: "NLD", DateOfBirth: "1965-03-10", Sex: "F", ExpiryDate: "2033-03-09"},
		synth.Options{JPEGQuality: 90}, rand.New(rand.NewPCG(11, 1)))
	require.NoError(t, err)

	post := func(path string, fields map[string]string, files map[string][]byte) (int, map[string]any) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			require.NoError(t, mw.WriteField(k, v))
		}
		for k, b := range files {
			fw, err := mw.CreateFormFile(k, k+".jpg")
			require.NoError(t, err)
			_, _ = fw.Write(b)
		}
		require.NoError(t, mw.Close())
		req, _ := http.NewRequest("POST", srv.URL+path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
		return res.StatusCode, out
	}

	code, out := post("/api/v1/mrz/read", nil, map[string][]byte{"image": doc.Front})
	require.Equal(t, 200, code, "%v", out)
	require.Equal(t, "DE BRUIJN", out["surname"])
	require.Equal(t, true, out["valid"])

	var v tools.Verification
	require.Nil(t, te.Call(t, te.Test, "create_verification", map[string]any{"checks": []string{"document"}}, &v))
	code, out = post("/api/v1/verifications/"+v.ID+"/document", map[string]string{"side": "front"}, map[string][]byte{"image": doc.Front})
	require.Equal(t, 200, code, "%v", out)
	require.Equal(t, "NLD", out["issuing_country"])
	require.Equal(t, true, out["mrz_valid"])

	code, out = post("/api/v1/mrz/read", map[string]string{"colour": "red"}, nil)
	require.Equal(t, 422, code)
	require.Equal(t, "colour", out["error"].(map[string]any)["field"])
	code, out = post("/api/v1/verifications/"+v.ID+"/document", map[string]string{"side": "front"}, map[string][]byte{"image": []byte("not a picture")})
	require.Equal(t, 422, code)
	require.Equal(t, "image", out["error"].(map[string]any)["field"])
}
