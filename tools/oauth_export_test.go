package tools

import (
	"context"

	"github.com/golang-jwt/jwt/v5"
)

// SignForTest signs claims with the built-in server's current key (ES256, its kid, typ at+jwt
// unless header says otherwise), so the negative tests can vary one claim of a well-signed token.
func (o *OAuth) SignForTest(ctx context.Context, d *Deps, claims jwt.MapClaims, header map[string]any) (string, error) {
	k, err := o.currentKey(ctx, d)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = k.id
	t.Header["typ"] = accessTokenType
	for n, v := range header {
		t.Header[n] = v
	}
	return t.SignedString(k.priv)
}
