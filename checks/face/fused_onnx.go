//go:build onnx

package face

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/face/onnx"
)

// fusedInfo identifies a set of embedding models: a single model is its
// file; a fusion is named "a:w+b:w" with a SHA-256 over every file's hash
// and weight, so stored embeddings from another set never match it.
func fusedInfo(specs []EmbeddingSpec, models []*onnx.Model) onnx.ModelInfo {
	if len(models) == 1 {
		return models[0].Info
	}
	var names, sources, key []string
	var bytes int64
	for i, m := range models {
		names = append(names, fmt.Sprintf("%s:%g", m.Info.Name, specs[i].Weight))
		sources = append(sources, m.Info.Source)
		key = append(key, fmt.Sprintf("%s:%g:%d:%g:%s:%t", m.Info.SHA256, specs[i].Weight, specs[i].Size, specs[i].Margin, specs[i].Input, specs[i].NoFlip))
		if specs[i].Chip > 0 {
			key[len(key)-1] += fmt.Sprintf(":chip%g", specs[i].Chip)
		}
		bytes += m.Info.Bytes
	}
	sum := sha256.Sum256([]byte(strings.Join(key, "|")))
	return onnx.ModelInfo{Name: strings.Join(names, "+"), Source: strings.Join(sources, "; "), SHA256: hex.EncodeToString(sum[:]), Bytes: bytes}
}
