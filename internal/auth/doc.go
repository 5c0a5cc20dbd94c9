// Package auth implements Parley's credentials: the signed bearer tokens that
// every surface accepts (HS256 JWTs, as ConvoForge and Botyard issue them),
// and, in wallet/, the signature checks of wallet sign-in.
package auth
