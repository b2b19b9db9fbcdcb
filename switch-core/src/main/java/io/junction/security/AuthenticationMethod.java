package io.junction.security;

/**
 * How a remote party proves who it is in its HELLO.
 */
public enum AuthenticationMethod
{
    /** No credentials: accepted only when authentication is off. */
    NONE,
    /** A user name and a password, checked against a salted PBKDF2 hash. */
    PASSWORD,
    /** A bearer token from the config (stored as a hash), naming its principal. */
    TOKEN,
    /** The TLS client certificate's subject, mapped to a principal. */
    CLIENT_CERTIFICATE
}
