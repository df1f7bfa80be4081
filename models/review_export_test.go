package models

// EditableByFiler exposes editableByFiler (the lock of registrations under review) to the tests.
var EditableByFiler = editableByFiler
