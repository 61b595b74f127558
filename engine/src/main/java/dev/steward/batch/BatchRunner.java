package dev.steward.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.BatchProgress;
import dev.steward.api.BatchRefusedException;
import dev.steward.api.BatchRequest;
import dev.steward.api.BatchStoppedException;
import dev.steward.api.BatchSummary;
import dev.steward.api.FirstSyncReport;
import dev.steward.model.Flow;
import dev.steward.model.Step;
import dev.steward.model.Workspace;
import dev.steward.plugin.Connector;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.RecordWrite;
import dev.steward.plugin.SystemConfig;
import dev.steward.run.ActiveWorkspace;
import dev.steward.run.FlowRunner;
import dev.steward.run.RunResult;
import dev.steward.run.SystemGuards;
import dev.steward.run.Values;
import dev.steward.store.BatchCheckpoint;
import dev.steward.store.EventStatus;
import dev.steward.store.NewEvent;
import dev.steward.store.RecordKey;
import dev.steward.store.RecordState;
import dev.steward.store.RunEffects;
import dev.steward.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code steward batch}: streams the records of a file or a system's listing through a flow, a
 * chunk at a time. Each record runs through the same {@link FlowRunner} as a webhook (mapping,
 * transforms, rules, mastership); its accepted writes are collected and written per target in
 * bulk ({@link TargetWriter}); then the chunk's known values and ledger writes commit in the
 * store together with the checkpoint past the chunk, so later webhooks about these records are
 * recognised as echoes, and an interrupted batch goes on after its last committed chunk.
 *
 * <p>Before a chunk's writes, the store notes that they are in doubt. A batch that stopped
 * between the targets' commit and the store's (a SIGKILL) finds the note when it resumes, reads
 * those records back from the targets, and does not write again the ones that hold their values
 * already: a record is written once. Rejected records go to a rejects file, cut back on resume
 * to the length its checkpoint recorded.
 *
 * <p>A chunk's target writes go on a write thread and its store commit on a commit thread,
 * while the caller's thread decides the next chunk's runs: three chunks at a time (a chunk
 * holding a key of one under way waits for that one's commit). Each thread takes the chunks one
 * at a time, in input order, and a chunk is not committed after one that failed.
 *
 * <p>Not thread-safe: one run, from the caller's thread (writes to a target without bulk writes
 * go out on a small pool).
 */
public final class BatchRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);
    /** Examples kept in a dry run's report, per kind. */
    static final int EXAMPLES = 20;

    private final Workspace workspace;
    private final ActiveWorkspace active;
    private final Store store;
    private final BatchRequest request;
    private final BatchProgress progress;
    private final Clock clock;
    private final Flow flow;
    private final FlowRunner runner;
    private final SystemGuards guards;
    private final Map<String, EntityConfig> targets = new LinkedHashMap<>();
    private String batchId;

    public BatchRunner(ActiveWorkspace active, Store store, BatchRequest request, BatchProgress progress, Clock clock,
                       MeterRegistry metrics) {
        this.workspace = active.workspace();
        this.active = active;
        this.store = store;
        this.request = request;
        this.progress = progress;
        this.clock = clock;
        this.flow = flow(workspace, request.flowId());
        this.guards = new SystemGuards(workspace.host().delivery(), workspace.systems().keySet(), clock, metrics);
        this.runner = new FlowRunner(active, metrics, clock, guards, null);
        for (Step step : flow.steps()) {
            if (step instanceof Step.Sync sync) {
                for (String target : sync.to()) {
                    SystemConfig config = workspace.systems().get(target);
                    config.entity(flow.entity()).ifPresent(entity -> targets.put(target, entity));
                }
            }
        }
    }

    private static Flow flow(Workspace workspace, String id) {
        Flow flow = workspace.flows().get(id);
        if (flow != null) {
            return flow;
        }
        Optional<String> broken = workspace.brokenFlows().entrySet().stream()
                .filter(e -> e.getKey().endsWith("/" + id + ".yaml") || e.getKey().endsWith("/" + id + ".yml"))
                .map(e -> e.getKey() + " has errors: " + e.getValue()).findFirst();
        throw new BatchRefusedException(broken.orElse("no flow '" + id + "' (there are: "
                + String.join(", ", new java.util.TreeSet<>(workspace.flows().keySet())) + ")"));
    }

    /** Runs the batch to its end, or to a stop the progress asked for. */
    public BatchSummary run() throws IOException, InterruptedException {
        long started = clock.millis();
        String inputName = request.input().map(Path::toString).orElseGet(() -> "system " + request.from().orElseThrow());
        String id = batchId();
        this.batchId = id;
        BatchCheckpoint checkpoint = request.dryRun()
                ? new BatchCheckpoint(id, flow.id(), inputName, 0, null, 0, 0, 0, 0, false)
                : store.startBatch(id, flow.id(), inputName, request.restart());
        long resumedFrom = checkpoint.done();
        if (resumedFrom > 0) {
            LOG.info("batch {} of flow {} over {} goes on after record {} ({} written, {} rejected so far)", id,
                    flow.id(), inputName, resumedFrom, checkpoint.written(), checkpoint.rejected());
        }
        Path rejectsPath = request.rejects().orElseGet(this::defaultRejects);
        FirstSync report = request.dryRun() ? new FirstSync(workspace, active, flow, request.from().orElse(null)) : null;
        try (InputRecords input = open(checkpoint);
             RejectsFile rejects = request.dryRun() ? null : new RejectsFile(rejectsPath, checkpoint.rejectsBytes());
             TargetWriter writer = new TargetWriter(guards, request.concurrency());
             // closed before the writer and in this order: each waits for its chunks under way
             java.util.concurrent.ExecutorService committer = java.util.concurrent.Executors.newSingleThreadExecutor(
                     Thread.ofPlatform().name("steward-batch-commit").daemon().factory());
             java.util.concurrent.ExecutorService targetStage = java.util.concurrent.Executors.newSingleThreadExecutor(
                     Thread.ofPlatform().name("steward-batch-write").daemon().factory())) {
            Chunks chunks = new Chunks(input, request.chunkSize());
            long doubtUntil = checkpoint.done() + checkpoint.inDoubt();
            progress.begin(resumedFrom, input.fraction());
            // Three chunks at a time: this thread decides chunk k+2's runs while the write thread
            // writes chunk k+1 to the targets and the commit thread commits chunk k in the store.
            // Each stage takes the chunks in input order; a chunk with a key of one under way
            // waits for that one's commit before its runs are decided.
            Pipeline pipeline = new Pipeline(targetStage, committer, checkpoint);
            for (List<InputRecords.InputRecord> chunk; !(chunk = next(chunks, checkpoint)).isEmpty(); ) {
                try {
                    if (report != null) {
                        dryRun(chunk, chunks.keys(), report);
                        checkpoint = checkpoint.advance(chunk.size(), null, 0, 0, 0);
                    } else {
                        while (pipeline.overlaps(chunks.keys())) {
                            checkpoint = pipeline.awaitOldest();
                            progress.update(checkpoint.done(), checkpoint.written(), checkpoint.rejected(), input.fraction());
                        }
                        if (progress.stopRequested()) {
                            return stoppedOnRequest(pipeline.awaitAll(checkpoint), resumedFrom, rejects, started, inputName);
                        }
                        List<Item> items = decide(chunk, chunks.keys(), false);
                        while (pipeline.full()) {
                            checkpoint = pipeline.awaitOldest();
                            progress.update(checkpoint.done(), checkpoint.written(), checkpoint.rejected(), input.fraction());
                        }
                        if (progress.stopRequested()) {
                            return stoppedOnRequest(pipeline.awaitAll(checkpoint), resumedFrom, rejects, started, inputName);
                        }
                        String cursor = chunks.cursor();
                        int size = chunk.size();
                        pipeline.submit(keys(items), staged -> writeTargets(items, size, staged, cursor, doubtUntil,
                                rejects, writer));
                        continue;
                    }
                } catch (TargetWriter.TargetUnavailableException | dev.steward.plugin.ConnectorException e) {
                    throw stopped(checkpoint, e);
                }
                progress.update(checkpoint.done(), report.wouldWriteAny(), report.invalidCount(), input.fraction());
                if (progress.stopRequested()) {
                    LOG.info("batch {} stopped on request after record {}; run it again to go on", id, checkpoint.done());
                    return summary(checkpoint, resumedFrom, rejects, started, report, inputName);
                }
            }
            while (!pipeline.empty()) {
                try {
                    checkpoint = pipeline.awaitOldest();
                } catch (TargetWriter.TargetUnavailableException | dev.steward.plugin.ConnectorException e) {
                    throw stopped(checkpoint, e);
                }
                progress.update(checkpoint.done(), checkpoint.written(), checkpoint.rejected(), input.fraction());
            }
            if (report == null) {
                store.commitBatch(List.of(), checkpoint, true);
            }
            BatchSummary summary = summary(checkpoint, resumedFrom, rejects, started, report, inputName);
            LOG.info("batch {} of flow {} over {}: {} records, {} written, {} unchanged, {} rejected{}", id, flow.id(),
                    inputName, summary.records(), summary.written(), summary.unchanged(), summary.rejected(),
                    request.dryRun() ? " (dry run: nothing written)" : "");
            return summary;
        }
    }

    private BatchSummary stoppedOnRequest(BatchCheckpoint checkpoint, long resumedFrom, RejectsFile rejects, long started,
                                          String inputName) {
        LOG.info("batch {} stopped on request after record {}; run it again to go on", checkpoint.id(), checkpoint.done());
        return summary(checkpoint, resumedFrom, rejects, started, null, inputName);
    }

    private static Set<String> keys(List<Item> items) {
        Set<String> keys = new HashSet<>();
        for (Item item : items) {
            if (item.key != null) {
                keys.add(item.key);
            }
        }
        return keys;
    }

    /** A chunk written to the targets, whose effects and checkpoint are to be committed. */
    private record Staged(List<RunEffects> effects, BatchCheckpoint next) {
    }

    /** The target stage of one chunk: given the checkpoint before it, writes it and stages its commit. */
    @FunctionalInterface
    private interface TargetStage {
        Staged write(BatchCheckpoint before) throws IOException, InterruptedException;
    }

    /**
     * The chunks under way past their runs: at most {@link #DEPTH}, each first on the write
     * thread (its targets), then on the commit thread (the store). A stage does not start on a
     * chunk whose previous chunk failed in that stage or before, so no chunk is committed past
     * one that was not: the checkpoint stays a prefix of the input.
     */
    private final class Pipeline {
        static final int DEPTH = 2;
        private final java.util.concurrent.ExecutorService targets;
        private final java.util.concurrent.ExecutorService commits;
        private final BatchCheckpoint first;
        private final java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();
        private java.util.concurrent.Future<Staged> lastTarget;
        private java.util.concurrent.Future<BatchCheckpoint> lastCommit;

        Pipeline(java.util.concurrent.ExecutorService targets, java.util.concurrent.ExecutorService commits,
                 BatchCheckpoint first) {
            this.targets = targets;
            this.commits = commits;
            this.first = first;
        }

        private record InFlight(Set<String> keys, java.util.concurrent.Future<BatchCheckpoint> committed) {
        }

        /** Starts a decided chunk on its way: its target writes, then its commit. */
        void submit(Set<String> keys, TargetStage stage) {
            java.util.concurrent.Future<Staged> previousTarget = lastTarget;
            java.util.concurrent.Future<BatchCheckpoint> previousCommit = lastCommit;
            java.util.concurrent.Future<Staged> target = targets.submit(() ->
                    stage.write(previousTarget == null ? first : result(previousTarget).next()));
            java.util.concurrent.Future<BatchCheckpoint> commit = commits.submit(() -> {
                if (previousCommit != null) {
                    result(previousCommit);
                }
                Staged staged = result(target);
                store.commitBatch(staged.effects(), staged.next(), false);
                return staged.next();
            });
            lastTarget = target;
            lastCommit = commit;
            inFlight.add(new InFlight(keys, commit));
        }

        boolean full() {
            return inFlight.size() >= DEPTH;
        }

        boolean empty() {
            return inFlight.isEmpty();
        }

        /** Whether the chunk holds a key of one under way: its runs must see that one's effects. */
        boolean overlaps(List<String> keys) {
            for (InFlight chunkUnderWay : inFlight) {
                for (String key : keys) {
                    if (key != null && chunkUnderWay.keys().contains(key)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The checkpoint after the oldest chunk under way, once committed; its failure as it was thrown. */
        BatchCheckpoint awaitOldest() throws IOException, InterruptedException {
            try {
                return result(inFlight.poll().committed());
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The checkpoint after every chunk under way, or {@code current} when none is. */
        BatchCheckpoint awaitAll(BatchCheckpoint current) throws IOException, InterruptedException {
            BatchCheckpoint last = current;
            while (!inFlight.isEmpty()) {
                last = awaitOldest();
            }
            return last;
        }
    }

    /** A finished stage's result, or its failure as it was thrown. */
    private static <T> T result(java.util.concurrent.Future<T> stage) throws Exception {
        try {
            return stage.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }

    private List<InputRecords.InputRecord> next(Chunks chunks, BatchCheckpoint checkpoint) throws IOException {
        try {
            return chunks.next();
        } catch (dev.steward.plugin.ConnectorException e) {
            throw stopped(checkpoint, e);
        }
    }

    private static BatchStoppedException stopped(BatchCheckpoint checkpoint, RuntimeException e) {
        return new BatchStoppedException(e.getMessage() + " (after record " + checkpoint.done() + ", the last committed)", e);
    }

    private BatchSummary summary(BatchCheckpoint checkpoint, long resumedFrom, RejectsFile rejects, long started,
                                 FirstSync report, String inputName) {
        long written = report != null ? report.wouldWriteAny() : checkpoint.written();
        long rejected = report != null ? report.invalidCount() : checkpoint.rejected();
        return new BatchSummary(checkpoint.id(), flow.id(), inputName, resumedFrom, checkpoint.done(), written,
                checkpoint.done() - written - rejected, rejected,
                rejects != null && rejects.any() ? Optional.of(rejects.path()) : Optional.empty(),
                clock.millis() - started, Optional.ofNullable(report).map(FirstSync::report));
    }

    /** The same flow over the same input (file path and size, or system) is the same batch. */
    private String batchId() {
        String identity = request.input().map(path -> {
            Path absolute = path.toAbsolutePath().normalize();
            try {
                return "file " + absolute + " " + Files.size(absolute);
            } catch (IOException e) {
                throw new BatchRefusedException("cannot read " + path + ": " + e.getMessage(), e);
            }
        }).orElseGet(() -> "system " + request.from().orElseThrow());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((flow.id() + "\n" + identity)
                    .getBytes(StandardCharsets.UTF_8));
            return "b" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path defaultRejects() {
        if (request.input().isPresent()) {
            Path input = request.input().get();
            return input.resolveSibling(input.getFileName() + ".rejects.jsonl");
        }
        return workspace.home().resolve("data/batch").resolve(flow.id() + "-" + request.from().orElseThrow()
                + ".rejects.jsonl");
    }

    private InputRecords open(BatchCheckpoint checkpoint) throws IOException {
        if (request.from().isPresent()) {
            String system = request.from().get();
            SystemConfig config = workspace.systems().get(system);
            if (config == null) {
                throw new BatchRefusedException("no system '" + system + "' (there are: "
                        + String.join(", ", new java.util.TreeSet<>(workspace.systems().keySet())) + ")");
            }
            if (!flow.source().equals(system)) {
                throw new BatchRefusedException("flow " + flow.id() + " takes records from " + flow.source() + ", not "
                        + system + ": list " + flow.source() + " or pick a flow whose source is " + system);
            }
            EntityConfig entity = config.entity(flow.entity()).orElseThrow(() -> new BatchRefusedException(
                    "system '" + system + "' has no entity '" + flow.entity() + "' in steward.yaml"));
            Connector connector = active.connectors().get(system).orElseThrow();
            return new ListedRecords(system, connector, entity, flow.keyPath(), request.chunkSize(),
                    Optional.ofNullable(checkpoint.nextCursor()), checkpoint.done());
        }
        Path file = request.input().orElseThrow();
        if (!Files.isRegularFile(file)) {
            throw new BatchRefusedException("no such file: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        InputRecords records;
        if (name.endsWith(".csv")) {
            records = new CsvRecords(file, file.toString(), readTops(flow));
        } else if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            records = new JsonlRecords(file, file.toString());
        } else {
            throw new BatchRefusedException(file + ": the input must be a .csv file (with a header row) or a .jsonl"
                    + " file (one JSON object a line)");
        }
        for (long skipped = 0; skipped < checkpoint.done(); skipped++) {
            if (records.next() == null) {
                records.close();
                throw new BatchRefusedException(file + " has " + skipped + " records, fewer than the " + checkpoint.done()
                        + " its checkpoint says were done; it was changed since (run with --restart)");
            }
        }
        return records;
    }

    /**
     * The first names of the payload paths a flow's run reads, when that is all it reads: its
     * key, version and fields, with only rules, transforms (which get the fields) and syncs of the
     * accepted fields as steps. Null when a step may read any payload path (a filter, branch or
     * call, a sync with its own fields: their templates and conditions may name one).
     */
    static Set<String> readTops(Flow flow) {
        for (Step step : flow.steps()) {
            boolean fieldsOnly = step instanceof Step.Rules || step instanceof Step.Transform
                    || (step instanceof Step.Sync sync && !sync.setsFields());
            if (!fieldsOnly) {
                return null;
            }
        }
        Set<String> tops = new HashSet<>();
        List<String> paths = new ArrayList<>(flow.fields().values());
        paths.add(flow.keyPath());
        flow.versionPath().ifPresent(paths::add);
        for (String path : paths) {
            int dot = path.indexOf('.');
            tops.add(dot < 0 ? path : path.substring(0, dot));
        }
        return tops;
    }

    /** A record of the chunk with what its run decided. */
    private static final class Item {
        final InputRecords.InputRecord input;
        String key;
        RunEffects effects;
        final Map<String, RecordWrite> writes = new LinkedHashMap<>();
        String rejected;

        Item(InputRecords.InputRecord input) {
            this.input = input;
        }
    }

    /**
     * Writes one chunk whose runs are decided to its targets, on the write thread; answers its
     * effects and the checkpoint after it, for the commit thread. The store first notes the
     * chunk's records as in doubt, up to the chunk's end: the note also covers the chunk before,
     * if the commit thread has not committed it yet.
     */
    private Staged writeTargets(List<Item> items, int size, BatchCheckpoint checkpoint, String cursor,
                                long doubtUntil, RejectsFile rejects, TargetWriter writer)
            throws IOException, InterruptedException {
        Map<String, List<Item>> byTarget = new LinkedHashMap<>();
        for (Item item : items) {
            if (item.rejected == null) {
                item.writes.keySet().forEach(system -> byTarget.computeIfAbsent(system, s -> new ArrayList<>()).add(item));
            }
        }
        if (!byTarget.isEmpty()) {
            store.batchInDoubtUntil(checkpoint.id(), checkpoint.done() + size);
        }
        for (Map.Entry<String, List<Item>> target : byTarget.entrySet()) {
            String system = target.getKey();
            EntityConfig entity = targets.get(system);
            Connector connector = active.connectors().get(system).orElseThrow();
            List<Item> pending = target.getValue();
            List<Item> doubtful = pending.stream().filter(i -> i.input.position() <= doubtUntil).toList();
            if (!doubtful.isEmpty()) {
                List<Integer> missing = TargetWriter.notYetWritten(connector, entity,
                        doubtful.stream().map(i -> i.writes.get(system)).toList());
                Set<Item> made = new HashSet<>(doubtful);
                missing.forEach(i -> made.remove(doubtful.get(i)));
                pending = pending.stream().filter(i -> !made.contains(i)).toList();
                if (!made.isEmpty()) {
                    LOG.info("{} of {} records in doubt were written to {} before the batch stopped; not written again",
                            made.size(), doubtful.size(), system);
                }
            }
            List<RecordWrite> writes = pending.stream().map(i -> i.writes.get(system)).toList();
            Map<Integer, String> refused = writer.write(system, "jdbc".equals(workspace.systems().get(system).type()),
                    connector, entity, writes);
            for (Map.Entry<Integer, String> refusal : refused.entrySet()) {
                Item item = pending.get(refusal.getKey());
                item.rejected = item.rejected == null ? refusal.getValue() : item.rejected + "; " + refusal.getValue();
            }
        }
        long written = 0;
        long rejected = 0;
        List<RunEffects> effects = new ArrayList<>();
        for (Item item : items) {
            if (item.rejected != null) {
                rejected++;
                rejects.add(item.input.position(), item.input.at(), item.key, item.rejected, item.input.wholePayload());
            } else {
                effects.add(item.effects);
                written += item.writes.isEmpty() ? 0 : 1;
            }
        }
        return new Staged(effects, checkpoint.advance(size, cursor, written, rejected, rejects.sync()));
    }

    /** Each record's run, against its record's state as the store has it now. */
    private List<Item> decide(List<InputRecords.InputRecord> chunk, List<String> chunkKeys, boolean dryRun) {
        List<Item> items = new ArrayList<>(chunk.size());
        List<RecordKey> keys = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            InputRecords.InputRecord record = chunk.get(i);
            Item item = new Item(record);
            items.add(item);
            if (record.problem() != null) {
                item.rejected = record.problem();
                continue;
            }
            Optional<String> key = Optional.ofNullable(chunkKeys.get(i));
            if (key.isEmpty()) {
                item.rejected = "no record key at '" + flow.keyPath() + "'";
            } else if (key.get().length() > NewEvent.MAX_KEY_LENGTH) {
                item.rejected = "the record key is " + key.get().length() + " characters long; at most "
                        + NewEvent.MAX_KEY_LENGTH + " are accepted";
            } else {
                item.key = key.get();
                keys.add(new RecordKey(flow.entity(), item.key));
            }
        }
        Map<RecordKey, RecordState> states = store.recordStates(keys, runner.historySince());
        String prefix = "batch:" + batchId + ":";
        for (Item item : items) {
            if (item.rejected != null) {
                continue;
            }
            RecordState state = states.get(new RecordKey(flow.entity(), item.key));
            item.effects = new RunEffects(state, prefix + item.input.position());
            RunResult result = runner.runForBatch(flow, item.effects.eventId(), item.input.payload(), item.effects, dryRun,
                    (system, entity, write) -> item.writes.put(system, write));
            if (result.status() != EventStatus.SUCCEEDED) {
                item.rejected = result.error() != null ? result.error() : "the run ended " + result.status();
                item.writes.clear();
            } else if (dryRun) {
                result.trace().writes().stream().filter(w -> !w.fields().isEmpty()
                        && w.result() == dev.steward.run.RunTrace.WriteResult.DRY_RUN)
                        .forEach(w -> item.writes.put(w.system(), RecordWrite.of(item.key, w.fields(),
                                new dev.steward.plugin.WriteOptions(item.effects.eventId(), item.effects.eventId()))));
            }
        }
        return items;
    }

    private void dryRun(List<InputRecords.InputRecord> chunk, List<String> keys, FirstSync report) {
        for (Item item : decide(chunk, keys, true)) {
            report.add(item.input, item.key, item.rejected, item.writes.keySet());
        }
    }

    /**
     * The input cut into chunks: up to the chunk size, at a place where a checkpoint may be taken,
     * and never with one key twice (the second waits for the next chunk, which sees the first's
     * effects in the store).
     */
    private final class Chunks {
        private final InputRecords input;
        private final int size;
        private InputRecords.InputRecord held;
        private String cursor;
        private List<String> keys = List.of();

        Chunks(InputRecords input, int size) {
            this.input = input;
            this.size = size;
        }

        List<InputRecords.InputRecord> next() throws IOException {
            List<InputRecords.InputRecord> chunk = new ArrayList<>(size);
            List<String> chunkKeys = new ArrayList<>(size);
            Set<String> seen = new HashSet<>();
            while (true) {
                if (chunk.size() >= size && input.boundary()) {
                    break;
                }
                InputRecords.InputRecord record = held != null ? held : input.next();
                held = null;
                if (record == null) {
                    break;
                }
                JsonNode payload = record.payload();
                Optional<String> key = payload == null ? Optional.empty() : Values.key(Values.at(payload, flow.keyPath()));
                if (key.isPresent() && !seen.add(key.get())) {
                    held = record;
                    break;
                }
                chunk.add(record);
                chunkKeys.add(key.orElse(null));
            }
            cursor = input.cursor();
            this.keys = chunkKeys;
            return chunk;
        }

        /** The key of each record of the last chunk, where it has one; else null. */
        List<String> keys() {
            return keys;
        }

        String cursor() {
            return cursor;
        }
    }
}
