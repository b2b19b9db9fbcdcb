package io.junction.security;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The principal a TLS client certificate stands for: the common name (CN) of its verified subject, so
 * {@code CN=alice,OU=ops,O=Example} is the principal {@code alice}. Which certificates are verified at all is
 * the trust store's choice; which CNs may connect is the authenticator's (a configured principal only).
 */
public final class CertificateSubjects
{
    private CertificateSubjects()
    {
    }

    /**
     * @return the subject's CN (the most specific one when there are several), or null when there is no subject
     * or it has no CN.
     */
    public static String commonName(final java.security.Principal subject)
    {
        if (null == subject)
        {
            return null;
        }
        try
        {
            final LdapName name = new LdapName(subject.getName());
            // LdapName lists RDNs from the least specific (the end of the string) to the most specific.
            for (int i = name.size() - 1; i >= 0; i--)
            {
                final Rdn rdn = name.getRdn(i);
                if ("CN".equalsIgnoreCase(rdn.getType()))
                {
                    final String value = rdn.getValue().toString().trim();
                    return value.isEmpty() ? null : value;
                }
            }
            return null;
        }
        catch (final InvalidNameException ex)
        {
            return null;
        }
    }
}
