package botyard

// KindOfULID names the kind of an id the surface issued ("user", "chat",
// "message", "file", "command"), or "" for any other string. Golden tests
// name ids by it.
func KindOfULID(s string) string {
	k, _, err := parseULID(s)
	if err != nil {
		return ""
	}
	return kindName(k)
}
