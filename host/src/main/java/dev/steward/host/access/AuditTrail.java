package dev.steward.host.access;

import dev.steward.AccessBook;
import dev.steward.api.AccessRecords.AuditEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a change made through the API (or the access commands) in the store's audit log and as
 * one log line. Callers pass names and content hashes, never secrets. Thread-safe.
 */
public final class AuditTrail {

    private static final Logger LOG = LoggerFactory.getLogger("steward.audit");

    private final AccessBook log;

    AuditTrail(AccessBook log) {
        this.log = log;
    }

    public AuditEntry record(String actor, String action, String target, String beforeHash, String afterHash, String detail) {
        AuditEntry entry = log.audit(actor, action, target, beforeHash, afterHash, detail);
        LOG.info("audit #{}: {} {} {}{}{}{}", entry.seq(), actor, action, target == null ? "-" : target,
                beforeHash == null ? "" : " before " + beforeHash, afterHash == null ? "" : " after " + afterHash,
                detail == null ? "" : " (" + detail + ")");
        return entry;
    }

    public java.util.List<AuditEntry> recent(int limit) {
        return log.auditLog(limit);
    }
}
