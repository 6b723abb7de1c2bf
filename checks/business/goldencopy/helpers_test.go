package goldencopy_test

import (
	"errors"

	"github.com/kycd/kycd/checks/business"
)

func isNotFound(err error) bool { return errors.Is(err, business.ErrNotFound) }
