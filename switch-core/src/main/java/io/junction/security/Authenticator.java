package io.junction.security;

/**
 * Decides who a remote party is from what its HELLO carries. Implementations are thread-safe. A password
 * check is deliberately slow (PBKDF2), so the network edge calls this off its I/O agents, on a small bounded
 * worker, never on a thread that polls sockets.
 */
public interface Authenticator
{
    /** Authentication off: every party is {@link Principal#ANONYMOUS}. */
    Authenticator OPEN = (method, user, secret, secureTransport) -> AuthenticationOutcome.accepted(Principal.ANONYMOUS);

    /**
     * @param method          how the party proves who it is.
     * @param user            the user name for {@link AuthenticationMethod#PASSWORD}; for {@link
     *                        AuthenticationMethod#CLIENT_CERTIFICATE} the CN of the verified TLS certificate
     *                        (found by the network edge, null when none; see {@link CertificateSubjects});
     *                        ignored for a token.
     * @param secret          the password or token bytes (the caller clears them afterwards).
     * @param secureTransport true when the connection is TLS, or otherwise not readable by others (loopback
     *                        or IPC); a password over an insecure transport is refused.
     * @return the principal, or the reason for the refusal.
     */
    AuthenticationOutcome authenticate(AuthenticationMethod method, String user, byte[] secret, boolean secureTransport);
}
