package dev.steward.host.access;

import dev.steward.model.AccessSettings;
import dev.steward.AccessBook;
import dev.steward.api.AccessRecords.Session;
import dev.steward.api.AccessRecords.Token;
import dev.steward.api.AccessRecords.User;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who is who: checks tokens and sessions, signs people in and out, makes tokens and users, and
 * records each change in the audit log. Only hashes reach the store. Used by the host and by the
 * {@code steward token} and {@code steward user} commands alike. Thread-safe.
 */
public final class Access {

    /** The environment variable holding an admin token for scripts and CI. */
    public static final String ADMIN_TOKEN_VARIABLE = "STEWARD_ADMIN_TOKEN";
    public static final int MIN_ADMIN_TOKEN = 32;
    static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    /** How stale a token's "last used" or a session's "last seen" may get before it is written again. */
    private static final Duration TOUCH_EVERY = Duration.ofSeconds(30);

    public sealed interface Login permits SignedIn, Refused, Locked {
    }

    public record SignedIn(String sessionId, Session session, Role role) implements Login {
    }

    public record Refused() implements Login {
    }

    public record Locked(Duration retryAfter) implements Login {
    }

    public record NewToken(Token token, String secret) {
    }

    private final AccessBook store;
    private final AccessSettings settings;
    private final Optional<String> adminToken;
    private final Clock clock;
    private final Secrets secrets;
    private final Passwords passwords;
    private final LoginBrake brake;
    private final AuditTrail audit;

    public Access(AccessBook store, AccessSettings settings, Optional<String> adminToken, Clock clock, SecureRandom random,
                  int passwordCost) {
        this.store = store;
        this.settings = settings;
        this.adminToken = adminToken;
        this.clock = clock;
        this.secrets = new Secrets(random);
        this.passwords = new Passwords(random, passwordCost);
        this.brake = new LoginBrake(clock, settings.maxFailures(), settings.lockout());
        this.audit = new AuditTrail(store);
    }

    /** Why an admin token from the environment cannot be used, or empty when it can (or there is none). */
    public static Optional<String> adminTokenProblem(Optional<String> token) {
        if (token.isPresent() && token.get().strip().length() < MIN_ADMIN_TOKEN) {
            return Optional.of(ADMIN_TOKEN_VARIABLE + " must be at least " + MIN_ADMIN_TOKEN + " characters (it has "
                    + token.get().strip().length() + "); make one with: openssl rand -hex 32");
        }
        return Optional.empty();
    }

    public AccessSettings settings() {
        return settings;
    }

    public AuditTrail audit() {
        return audit;
    }

    public boolean hasAdminToken() {
        return adminToken.isPresent();
    }

    /** The principal a bearer token stands for, or empty when it is wrong or revoked. */
    public Optional<Principal> bearer(String token) {
        if (adminToken.isPresent() && Secrets.same(token, adminToken.get())) {
            return Optional.of(new Principal("STEWARD_ADMIN_TOKEN", Principal.Kind.ENVIRONMENT_TOKEN, Role.ADMIN, Optional.empty()));
        }
        Optional<Token> found = store.liveToken(Secrets.sha256(token));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Token t = found.get();
        Optional<Role> role = Role.parse(t.role());
        if (role.isEmpty()) {
            return Optional.empty();
        }
        if (t.lastUsedAt().map(last -> last.plus(TOUCH_EVERY).isBefore(clock.instant())).orElse(true)) {
            store.touchToken(t.id());
        }
        return Optional.of(new Principal(t.name(), Principal.Kind.TOKEN, role.get(), Optional.empty()));
    }

    /** The signed-in user of a session cookie, or empty when the session is unknown, ended or expired. */
    public Optional<Principal> session(String sessionId) {
        String idHash = Secrets.sha256(sessionId);
        Optional<Session> found = store.session(idHash);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Session s = found.get();
        Instant now = clock.instant();
        if (!now.isBefore(s.lastSeenAt().plus(settings.sessionIdle())) || !now.isBefore(s.createdAt().plus(settings.sessionMax()))) {
            store.removeSession(idHash);
            return Optional.empty();
        }
        Optional<User> user = store.user(s.user());
        Optional<Role> role = user.flatMap(u -> Role.parse(u.role()));
        if (role.isEmpty()) {
            store.removeSession(idHash);
            return Optional.empty();
        }
        if (s.lastSeenAt().plus(TOUCH_EVERY).isBefore(now)) {
            store.touchSession(idHash, now);
        }
        return Optional.of(new Principal(s.user(), Principal.Kind.USER, role.get(), Optional.of(s)));
    }

    /** Checks a password; a locked user or address is refused before the password is looked at. */
    public Login login(String name, String password, String address) {
        String user = name == null ? "" : name.strip();
        Optional<Duration> locked = brake.locked(user, address);
        if (locked.isPresent()) {
            // not recorded: hammering a locked name must not fill the audit log; the lock itself was
            return new Locked(locked.get());
        }
        Optional<User> found = NAME.matcher(user).matches() ? store.user(user) : Optional.empty();
        Optional<Role> role = found.flatMap(u -> Role.parse(u.role()));
        if (!passwords.matches(password, found.map(User::passwordHash)) || role.isEmpty()) {
            boolean locks = brake.failed(user, address);
            audit.record("user:" + user, "login-failed", user, null, null, "from " + address);
            if (locks) {
                audit.record("user:" + user, "login-locked", user, null, null, "from " + address + ", for " + settings.lockout());
            }
            return new Refused();
        }
        brake.succeeded(user, address);
        Instant now = clock.instant();
        store.removeExpiredSessions(now.minus(settings.sessionIdle()), now.minus(settings.sessionMax())); // housekeeping
        String sessionId = secrets.token("");
        String csrf = secrets.token("");
        store.addSession(Secrets.sha256(sessionId), user, csrf, clock.instant());
        audit.record("user:" + user, "login", user, null, null, "from " + address);
        Session session = store.session(Secrets.sha256(sessionId)).orElseThrow();
        return new SignedIn(sessionId, session, role.get());
    }

    public void logout(Principal principal) {
        principal.session().ifPresent(s -> {
            store.removeSession(s.idHash());
            audit.record(principal.actor(), "logout", principal.name(), null, null, null);
        });
    }

    /** Makes a token; its secret is in the answer and nowhere else. Empty when a live token has that name. */
    public Optional<NewToken> createToken(String name, Role role, String actor) {
        requireName(name, "token");
        String secret = secrets.token("stw_");
        String id = secrets.hexId("tok_", 6);
        if (!store.addToken(id, name, role.label(), Secrets.sha256(secret), actor)) {
            return Optional.empty();
        }
        audit.record(actor, "token-create", name, null, null, "role " + role.label() + ", id " + id);
        Token token = store.tokens().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
        return Optional.of(new NewToken(token, secret));
    }

    public Optional<Token> revokeToken(String idOrName, String actor) {
        Optional<Token> revoked = store.revokeToken(idOrName);
        revoked.ifPresent(t -> audit.record(actor, "token-revoke", t.name(), null, null, "id " + t.id()));
        return revoked;
    }

    public java.util.List<Token> tokens() {
        return store.tokens();
    }

    /** Adds a user; false when the name is taken. The password must pass {@link Passwords#problem}. */
    public boolean addUser(String name, Role role, String password, String actor) {
        requireName(name, "user");
        Passwords.problem(password).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        String hash = passwords.hash(password);
        boolean added = store.addUser(name, role.label(), hash);
        if (added) {
            audit.record(actor, "user-add", name, null, null, "role " + role.label());
        }
        return added;
    }

    /** Sets a user's role and password (the user's sessions end); false when there is no such user. */
    public boolean resetUser(String name, Role role, String password, String actor) {
        Passwords.problem(password).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        boolean updated = store.updateUser(name, role.label(), passwords.hash(password));
        if (updated) {
            audit.record(actor, "user-reset", name, null, null, "role " + role.label());
        }
        return updated;
    }

    public boolean removeUser(String name, String actor) {
        boolean removed = store.removeUser(name);
        if (removed) {
            audit.record(actor, "user-remove", name, null, null, null);
        }
        return removed;
    }

    public java.util.List<User> users() {
        return store.users();
    }

    /**
     * On the first start (no user, no admin token in the environment) creates {@code admin} with a
     * random password and returns it, to be shown once; empty otherwise. Only its hash is stored.
     */
    public Optional<String> firstAdmin() {
        if (adminToken.isPresent() || store.userCount() > 0) {
            return Optional.empty();
        }
        String password = secrets.password();
        if (!store.addUser("admin", Role.ADMIN.label(), passwords.hash(password))) {
            return Optional.empty(); // another host made it first
        }
        audit.record("steward", "user-add", "admin", null, null, "role admin, first start");
        return Optional.of(password);
    }

    private static void requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a " + what + " name starts with a letter and holds up to 64 letters, digits, '.', '-' and '_', not '"
                    + name + "'");
        }
    }
}
