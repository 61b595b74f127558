package dev.steward.connector.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.WriteRefusedException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where the http connector may connect. Names resolve through a stub: every connection these
 * tests make goes to WireMock on 127.0.0.1, and a refused address is never connected to.
 */
class AddressCheckTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    /** Names to the addresses the stub resolver answers; anything else is unknown. */
    private final Map<String, List<InetAddress>> dns = new HashMap<>();
    private final List<String> lookups = new CopyOnWriteArrayList<>();
    private final List<Connector> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(Connector::close);
    }

    @Test
    void connectsToTheAddressItCheckedKeepingTheHostName() throws Exception {
        dns.put("crm.test", List.of(ip("127.0.0.1")));
        server.stubFor(get("/customers/C-1").willReturn(okJson("{\"email\":\"a@x.example\"}")));
        Connector crm = connect("http://crm.test:" + server.getPort(), Map.of(), Map.of());

        assertThat(crm.read(HttpConnectorTest.CUSTOMER, "C-1").orElseThrow()).containsEntry("email", "a@x.example");
        assertThat(lookups).containsExactly("crm.test");
        server.verify(getRequestedFor(urlEqualTo("/customers/C-1"))
                .withHeader("Host", equalTo("crm.test:" + server.getPort())));
    }

    @Test
    void aNameThatResolvesToTheMetadataServiceIsRefused() throws Exception {
        dns.put("metadata.test", List.of(ip("169.254.169.254")));
        Connector crm = connect("http://metadata.test", Map.of(), Map.of());

        assertThatThrownBy(() -> crm.read(HttpConnectorTest.CUSTOMER, "C-1"))
                .isExactlyInstanceOf(ConnectorException.class)
                .hasMessage("erp refused to connect to metadata.test: 169.254.169.254 is a link-local or cloud metadata"
                        + " address (set allowLinkLocal: true on the system if it really lives there)"
                        + " (GET /customers/C-1)")
                .satisfies(e -> assertThat(((ConnectorException) e).retryable()).isFalse());
    }

    @Test
    void oneBadAddressAmongGoodOnesRefusesTheName() throws Exception {
        dns.put("crm.test", List.of(ip("127.0.0.1"), ip("fe80::1")));
        server.stubFor(any(anyUrl()).willReturn(okJson("{}")));
        Connector crm = connect("http://crm.test:" + server.getPort(), Map.of(), Map.of());

        assertThatThrownBy(() -> crm.read(HttpConnectorTest.CUSTOMER, "C-1"))
                .hasMessageContaining("fe80:0:0:0:0:0:0:1 is a link-local");
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void anIpv4MappedMetadataAddressIsRefused() throws Exception {
        dns.put("sneaky.test", List.of(InetAddress.getByAddress("sneaky.test",
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254})));
        Connector crm = connect("http://sneaky.test", Map.of(), Map.of());

        assertThatThrownBy(() -> crm.read(HttpConnectorTest.CUSTOMER, "C-1")).hasMessageContaining("169.254.169.254 is a link-local");
    }

    @Test
    void theDeploymentsAllowlistRestrictsEverySystem() throws Exception {
        dns.put("crm.test", List.of(ip("127.0.0.1")));
        server.stubFor(any(anyUrl()).willReturn(okJson("{}")));
        Connector outside = connect("http://crm.test:" + server.getPort(), Map.of(), Map.of(NetworkPolicy.ENV, "10.0.0.0/8"));
        Connector inside = connect("http://crm.test:" + server.getPort(), Map.of(),
                Map.of(NetworkPolicy.ENV, "10.0.0.0/8, 127.0.0.0/8"));

        assertThatThrownBy(() -> outside.read(HttpConnectorTest.CUSTOMER, "C-1"))
                .hasMessageContaining("127.0.0.1 is outside the networks STEWARD_ALLOWED_NETWORKS allows ([10.0.0.0/8])");
        assertThat(inside.read(HttpConnectorTest.CUSTOMER, "C-1")).isPresent();
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aSystemCanNarrowWhereItConnects() throws Exception {
        dns.put("crm.test", List.of(ip("127.0.0.1")));
        Connector crm = connect("http://crm.test:" + server.getPort(),
                Map.of("allowedNetworks", List.of("192.168.0.0/16")), Map.of());

        assertThatThrownBy(() -> crm.read(HttpConnectorTest.CUSTOMER, "C-1"))
                .hasMessageContaining("127.0.0.1 is outside the system's allowedNetworks ([192.168.0.0/16])");
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        dns.put("crm.test", List.of(ip("127.0.0.1")));
        server.stubFor(get("/customers/C-1").willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://169.254.169.254/latest/meta-data/")));
        Connector crm = connect("http://crm.test:" + server.getPort(), Map.of(), Map.of());

        assertThatThrownBy(() -> crm.read(HttpConnectorTest.CUSTOMER, "C-1")).isInstanceOf(WriteRefusedException.class)
                .hasMessage("erp answered 302 to GET /customers/C-1");
        assertThat(lookups).containsExactly("crm.test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254", "http://169.254.169.254.", "http://[fe80::1]",
            "http://[fe80::1%25eth0]", "http://[fd00:ec2::254]", "http://[::ffff:169.254.169.254]",
            "http://[::ffff:a9fe:a9fe]", "http://[::169.254.169.254]", "http://[64:ff9b::a9fe:a9fe]",
            "http://2852039166", "http://0251.0376.0251.0376", "http://0xA9FEA9FE", "http://0xa9.0xfe.0xa9.0xfe",
            "http://169.254.43518", "http://0251.254.169.254:80/api", "http://100.100.100.200"})
    void metadataAndLinkLocalLiteralsAreRefusedWhenTheFileLoads(String baseUrl) {
        List<ConfigProblem> problems = factory(Map.of()).validate(HttpConnectorTest.system(Map.of("baseUrl", baseUrl)));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("baseUrl");
            assertThat(p.message()).startsWith("Steward will not connect to ").contains("link-local or cloud metadata");
        });
        // allowed, a literal is refused no more; spellings java.net.URI cannot read stay refused as no host
        assertThat(factory(Map.of()).validate(HttpConnectorTest.system(Map.of("baseUrl", baseUrl,
                "allowLinkLocal", true)))).extracting(ConfigProblem::message)
                .allSatisfy(message -> assertThat(message).endsWith("names no host"));
    }

    /** Every IPv6 spelling that carries a refused IPv4 address, and the address it carries. */
    static List<Arguments> embeddedIpv4() {
        return List.of(
                Arguments.of("IPv4-mapped", "::ffff:169.254.169.254", "169.254.169.254"),
                Arguments.of("IPv4-mapped, written out", "0:0:0:0:0:ffff:a9fe:a9fe", "169.254.169.254"),
                Arguments.of("IPv4-translated", "::ffff:0:a9fe:a9fe", "169.254.169.254"),
                Arguments.of("IPv4-translated, dotted", "::ffff:0:169.254.169.254", "169.254.169.254"),
                Arguments.of("IPv4-compatible", "::a9fe:a9fe", "169.254.169.254"),
                Arguments.of("6to4", "2002:a9fe:a9fe::", "169.254.169.254"),
                Arguments.of("6to4 with a subnet and host", "2002:a9fe:a9fe:1234:5678::1", "169.254.169.254"),
                Arguments.of("6to4 of Alibaba's metadata", "2002:6464:64c8::1", "100.100.100.200"),
                Arguments.of("NAT64", "64:ff9b::a9fe:a9fe", "169.254.169.254"),
                Arguments.of("NAT64, dotted", "64:ff9b::169.254.169.254", "169.254.169.254"),
                Arguments.of("local NAT64 /48", "64:ff9b:1:a9fe:a9:fe00::", "169.254.169.254"),
                Arguments.of("local NAT64 /56", "64:ff9b:1:a9:fe:a9fe::", "169.254.169.254"),
                Arguments.of("local NAT64 /64", "64:ff9b:1:0:a9:fea9:fe00:0", "169.254.169.254"),
                Arguments.of("local NAT64 /96", "64:ff9b:1::a9fe:a9fe", "169.254.169.254"),
                Arguments.of("Teredo client", "2001:0:4136:e378:8000:63bf:5601:5601", "169.254.169.254"),
                Arguments.of("Teredo server", "2001:0:a9fe:a9fe::1", "169.254.169.254"),
                Arguments.of("ISATAP", "fd12::5efe:a9fe:a9fe", "169.254.169.254"),
                Arguments.of("ISATAP, global", "2001:db8::200:5efe:169.254.169.254", "169.254.169.254"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("embeddedIpv4")
    void anIpv6AddressThatCarriesARefusedIpv4AddressIsRefused(String form, String address, String carried)
            throws Exception {
        // as a literal in steward.yaml: refused when the file loads
        List<ConfigProblem> problems = factory(Map.of()).validate(HttpConnectorTest.system(
                Map.of("baseUrl", "http://[" + address + "]/")));
        assertThat(problems).as(form).singleElement().satisfies(p -> assertThat(p.message())
                .contains(carried).contains("a link-local or cloud metadata address"));

        // as a literal in a URL, checked again before connecting, and as what a name resolves to
        dns.put("tunnel.test", List.of(ip(address)));
        server.stubFor(any(anyUrl()).willReturn(okJson("{}")));
        HttpSettings settings = HttpSettings.read(HttpConnectorTest.system(Map.of("baseUrl", "http://tunnel.test")),
                null, new ArrayList<>());
        assertThat(settings.policy().refusal(ip(address))).as(form).hasValueSatisfying(reason ->
                assertThat(reason).contains(carried));
        Connector crm = connect("http://tunnel.test:" + server.getPort(), Map.of(), Map.of());
        assertThatThrownBy(() -> crm.read(HttpConnectorTest.CUSTOMER, "C-1")).as(form)
                .isExactlyInstanceOf(ConnectorException.class)
                .hasMessageContaining(carried).hasMessageContaining("a link-local or cloud metadata address");
        assertThat(server.getAllServeEvents()).isEmpty();

        // unless the system says it really lives there
        assertThat(factory(Map.of()).validate(HttpConnectorTest.system(Map.of("baseUrl", "http://[" + address + "]/",
                "allowLinkLocal", true)))).as(form).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2002:a00:1::", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "64:ff9b:1::a00:1", "2001:db8::1", "fd12::5efe:a00:1"})
    void tunnelsToAllowedAddressesStayAllowed(String address) {
        assertThat(factory(Map.of()).validate(HttpConnectorTest.system(Map.of("baseUrl", "http://[" + address + "]/"))))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.1.2.3", "http://192.168.1.10:8080", "http://127.0.0.1", "http://[::1]",
            "http://[fd12:3456::1]", "http://erp.internal", "http://172.16.0.1"})
    void privateAndLoopbackAddressesStayAllowed(String baseUrl) {
        assertThat(factory(Map.of()).validate(HttpConnectorTest.system(Map.of("baseUrl", baseUrl)))).isEmpty();
    }

    @Test
    void theTokenEndpointIsCheckedToo() {
        Map<String, Object> oauth2 = Map.of("tokenUrl", "http://169.254.169.254/token", "clientId", "c", "clientSecret", "s");
        assertThat(factory(Map.of()).validate(HttpConnectorTest.system(Map.of("baseUrl", "http://127.0.0.1",
                "auth", Map.of("oauth2", oauth2))))).extracting(ConfigProblem::path).containsExactly("auth.oauth2.tokenUrl");
    }

    @Test
    void networksThatAreNotNetworksAreNamed() {
        assertThat(factory(Map.of(NetworkPolicy.ENV, "10.0.0.0/8,ten")).validate(HttpConnectorTest.system(
                Map.of("baseUrl", "http://10.0.0.5", "allowedNetworks", List.of("10.0.0.0/33"), "allowLinkLocal", "yes"))))
                .extracting(ConfigProblem::message).containsExactlyInAnyOrder(
                        "allowLinkLocal must be true or false",
                        "the deployment's STEWARD_ALLOWED_NETWORKS: 'ten' is not a network like 10.0.0.0/8 or fd00::/8",
                        "allowedNetworks: '10.0.0.0/33' is not a network like 10.0.0.0/8 or fd00::/8");
    }

    @Test
    void theSystemResolverReadsEverySpellingOfAnAddressWithoutDns() throws UnknownHostException {
        HostResolver resolver = HostResolver.system();
        for (String spelling : List.of("2852039166", "0251.0376.0251.0376", "0xA9FEA9FE", "0xa9.0xfe.0xa9.0xfe",
                "169.254.43518", "169.16689662", "[::ffff:169.254.169.254]")) {
            assertThat(resolver.resolve(spelling)).singleElement()
                    .satisfies(a -> assertThat(Addresses.canonical(a).getHostAddress()).isEqualTo("169.254.169.254"));
        }
        assertThat(AddressLiteral.parse("crm.example.com")).isEmpty();
        assertThat(AddressLiteral.parse("0x")).map(InetAddress::getHostAddress).contains("0.0.0.0");
        assertThat(AddressLiteral.parse("1.2.3.256")).isEmpty();
        assertThat(AddressLiteral.parse("09.1.1.1")).isEmpty();
    }

    private Connector connect(String baseUrl, Map<String, Object> settings, Map<String, String> env) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("baseUrl", baseUrl);
        Connector connector = factory(env).create(HttpConnectorTest.system(all), TestContext.at(HttpConnectorTest.clock()));
        opened.add(connector);
        return connector;
    }

    private HttpConnectorFactory factory(Map<String, String> env) {
        return new HttpConnectorFactory(host -> {
            lookups.add(host);
            List<InetAddress> addresses = dns.get(host);
            if (addresses == null) {
                throw new UnknownHostException(host + " (not in the test's stub DNS)");
            }
            return addresses;
        }, env::get);
    }

    private static InetAddress ip(String literal) {
        return AddressLiteral.parse(literal).orElseThrow();
    }
}
