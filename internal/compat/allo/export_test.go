package allo

// FormatID is formatID, for the external tests.
var FormatID = formatID

// ParseID is parseID, for the external tests.
var ParseID = parseID
