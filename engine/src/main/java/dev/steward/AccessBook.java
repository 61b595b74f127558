package dev.steward;

import dev.steward.api.AccessRecords.AuditEntry;
import dev.steward.api.AccessRecords.Session;
import dev.steward.api.AccessRecords.Token;
import dev.steward.api.AccessRecords.User;
import dev.steward.store.Store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The access tables behind the engine: users, API tokens, browser sessions and the audit log.
 * Holds hashes only; the host hashes secrets before they get here. Thread-safe. One comes with
 * every {@link Engine} ({@link Engine#access()}); {@link Engine#openAccess} opens one on its own,
 * for the commands that work while no host runs, and closing that one closes its store.
 */
public final class AccessBook implements AutoCloseable {

    private final Store store;
    private final boolean ownsStore;

    AccessBook(Store store, boolean ownsStore) {
        this.store = store;
        this.ownsStore = ownsStore;
    }

    public long userCount() {
        return store.credentials().userCount();
    }

    /** False when the name is taken. */
    public boolean addUser(String name, String role, String passwordHash) {
        return store.credentials().addUser(name, role, passwordHash);
    }

    public boolean updateUser(String name, String role, String passwordHash) {
        return store.credentials().updateUser(name, role, passwordHash);
    }

    public boolean removeUser(String name) {
        return store.credentials().removeUser(name);
    }

    public Optional<User> user(String name) {
        return store.credentials().user(name);
    }

    public List<User> users() {
        return store.credentials().users();
    }

    /** False when a live token has that name. */
    public boolean addToken(String id, String name, String role, String tokenHash, String createdBy) {
        return store.credentials().addToken(id, name, role, tokenHash, createdBy);
    }

    public Optional<Token> liveToken(String tokenHash) {
        return store.credentials().liveToken(tokenHash);
    }

    public void touchToken(String id) {
        store.credentials().touchToken(id);
    }

    public List<Token> tokens() {
        return store.credentials().tokens();
    }

    public Optional<Token> revokeToken(String idOrName) {
        return store.credentials().revokeToken(idOrName);
    }

    public void addSession(String idHash, String user, String csrfToken, Instant at) {
        store.sessions().add(idHash, user, csrfToken, at);
    }

    public Optional<Session> session(String idHash) {
        return store.sessions().find(idHash);
    }

    public void touchSession(String idHash, Instant at) {
        store.sessions().touch(idHash, at);
    }

    public void removeSession(String idHash) {
        store.sessions().remove(idHash);
    }

    /** Removes the sessions idle since before {@code idleSince} or started before {@code startedBefore}. */
    public int removeExpiredSessions(Instant idleSince, Instant startedBefore) {
        return store.sessions().removeExpired(idleSince, startedBefore);
    }

    /** Appends to the audit log; pass names and content hashes, never secrets. */
    public AuditEntry audit(String actor, String action, String target, String beforeHash, String afterHash, String detail) {
        return store.auditLog().append(actor, action, target, beforeHash, afterHash, detail);
    }

    /** The newest audit entries first. */
    public List<AuditEntry> auditLog(int limit) {
        return store.auditLog().recent(limit);
    }

    @Override
    public void close() {
        if (ownsStore) {
            store.close();
        }
    }
}
