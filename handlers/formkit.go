package handlers

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/components"
)

// The banners of a form that could not be saved.
const msgFixFields = "请按提示修改后重新保存"

func msgConflict(what string) string {
	return "保存失败：" + what + "已被他人修改。下面是最新的信息，请核对后重新修改并保存。"
}

// formVersion is the version a submitted form edits.
func formVersion(c echo.Context) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// formOutcome sorts the error of a form's workflow call, once for every form:
//   - nil: saved; show is false and the handler redirects (303) or swaps in the result.
//   - field errors: each goes beside its field, with the banner 请按提示修改后重新保存.
//   - a version conflict: reload puts what is stored now (with its version) into the form, so nothing typed is
//     silently applied over someone else's change; then the banner says what (e.g. 该人员信息) was changed.
//   - anything else is returned for the central error page.
//
// st points into the form variable (&f.FormState), so reload may assign a whole new form to that variable.
func formOutcome(err error, st *components.FormState, what string, reload func() error) (show bool, _ error) {
	var fe models.FieldErrors
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &fe):
		if st.Errors == nil {
			st.Errors = map[string]string{}
		}
		for k, v := range fe {
			st.Errors[k] = v
		}
		st.Error = msgFixFields
		return true, nil
	case errors.Is(err, models.ErrConflict) && reload != nil:
		if err := reload(); err != nil {
			return false, err
		}
		st.Error, st.Conflict = msgConflict(what), true
		return true, nil
	}
	return false, err
}

// orRender returns err when there is one, and otherwise shows the form again: the tail of a form handler after
// formOutcome said the form must be shown.
func orRender(err error, show func() error) error {
	if err != nil {
		return err
	}
	return show()
}
