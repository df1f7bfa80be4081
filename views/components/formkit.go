package components

// FormState is what every form carries besides its values: the errors by field (shown beside each field), the
// banner above the form (请按提示修改后重新保存, or 已被他人修改 after a stale save), and the version of the record
// it edits (0 for a new record), sent back with the form so that a stale save is caught.
type FormState struct {
	Errors   map[string]string
	Error    string
	Version  int
	Conflict bool // the banner is a version conflict: the values shown are the stored ones
}

// Err is the error of one field ("" when none).
func (s FormState) Err(field string) string { return s.Errors[field] }

// Failed says whether the form has anything to fix.
func (s FormState) Failed() bool { return s.Error != "" || len(s.Errors) > 0 }
