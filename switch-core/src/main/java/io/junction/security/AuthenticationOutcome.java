package io.junction.security;

import java.util.Objects;

/**
 * The answer to a HELLO: a principal, or a refusal with its reason. Refusals never say whether the user
 * exists.
 */
public final class AuthenticationOutcome
{
    /** Why a HELLO was refused; each has a counter at the network edge. */
    public enum Refusal
    {
        /** Unknown user, wrong password or unknown token: one reason, so a prober learns nothing. */
        BAD_CREDENTIALS,
        /** A password offered on a connection that is neither TLS nor loopback. */
        INSECURE_TRANSPORT,
        /** A method this daemon does not accept (e.g. NONE when authentication is on). */
        METHOD_NOT_ALLOWED,
        /** CLIENT_CERTIFICATE on a connection that showed no verified TLS client certificate. */
        NO_CLIENT_CERTIFICATE,
        /** A verified client certificate whose subject's CN is not a configured principal. */
        UNKNOWN_CERTIFICATE_SUBJECT
    }

    private final Principal principal;
    private final Refusal refusal;

    private AuthenticationOutcome(final Principal principal, final Refusal refusal)
    {
        this.principal = principal;
        this.refusal = refusal;
    }

    public static AuthenticationOutcome accepted(final Principal principal)
    {
        return new AuthenticationOutcome(Objects.requireNonNull(principal, "principal"), null);
    }

    public static AuthenticationOutcome refused(final Refusal refusal)
    {
        return new AuthenticationOutcome(null, Objects.requireNonNull(refusal, "refusal"));
    }

    public boolean isAccepted()
    {
        return null != principal;
    }

    /** @return the principal, or null when refused. */
    public Principal principal()
    {
        return principal;
    }

    /** @return the reason, or null when accepted. */
    public Refusal refusal()
    {
        return refusal;
    }

    @Override
    public String toString()
    {
        return isAccepted() ? "accepted " + principal : "refused " + refusal;
    }
}
