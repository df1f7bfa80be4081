package components

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

func inputType(t string) string {
	if t == "" {
		return "text"
	}
	return t
}

func alertRole(kind string) string {
	if kind == "error" {
		return "alert"
	}
	return "status"
}

func (f Field) id() string {
	if f.ID != "" {
		return f.ID
	}
	return f.Name
}
