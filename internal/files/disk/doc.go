// Package disk stores attachment bytes in a directory on the local file
// system. It implements chat.Files and is Parley's default store.
//
// # Layout
//
// An object with key "org/5/f/123" is the file org/5/f/123 under the root
// directory. All access goes through os.Root, so no key, symlink or ".."
// can reach outside the root; keys are also checked by files.CheckKey,
// which rejects absolute keys, "." and ".." segments, empty segments and
// backslashes before the file system is touched.
//
// # Object files
//
// Each object file starts with a short text header, then the bytes exactly
// as they were put:
//
//	parley-file 1
//	content-type: image/png
//	<empty line>
//	<the object's bytes>
//
// Keeping the content type inside the object file, rather than in a sidecar
// file or an extended attribute, means one rename publishes bytes and
// content type together: a reader never sees new bytes with an old type,
// two concurrent Puts to one key cannot mix their halves, and nothing needs
// xattr support from the file system. The cost is that the files are not
// plain copies of the uploads; `tail -c +N` or this package reads them.
// Unknown "name: value" header lines are ignored, so later versions can add
// facts without a new format number.
//
// # Writes
//
// Put writes to a uniquely named temporary file in the directory .tmp under
// the root (dot names are never valid keys), syncs it, and renames it over
// the key's path, then syncs the key's directory. A Put that fails or whose
// context ends removes its temporary file, so it leaves no object behind.
// Temporary files left by a crash are removed by Open once they are a day
// old. Directories are created as needed and never removed, so a Delete
// cannot race a Put into the same directory.
//
// Because keys are paths, one key cannot be a prefix directory of another
// ("a" and "a/b"); Put returns a Conflict error in that case. Keys that chat
// generates never clash this way.
package disk
