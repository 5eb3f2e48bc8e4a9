package io.mtxtoolkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlsTest {
  @Test
  void theUserAndPasswordAreLeftOutOfValidAndInvalidUrls() {
    assertThat(Urls.withoutUserInfo("http://admin:s3cret@orch:8080/base")).isEqualTo("http://orch:8080/base");
    assertThat(Urls.withoutUserInfo("http://u:p@ss@orch:0")).as("an @ in the password").isEqualTo("http://orch:0");
    assertThat(Urls.withoutUserInfo("u:secret@orch:8080")).as("no scheme").isEqualTo("orch:8080");
    assertThat(Urls.withoutUserInfo("http://u:secret@orch:8080?x#y")).isEqualTo("http://orch:8080?x#y");
  }

  @Test
  void aPasswordHoldingASlashQuestionMarkOrHashIsHiddenToo() {
    assertThat(Urls.withoutUserInfo("http://admin:pa/ss@orch:8080")).isEqualTo("http://orch:8080");
    assertThat(Urls.withoutUserInfo("http://admin:pa?ss@orch:8080/x")).isEqualTo("http://orch:8080/x");
    assertThat(Urls.withoutUserInfo("http://admin:pa#ss@orch")).isEqualTo("http://orch");
    assertThat(Urls.withoutUserInfo("http://admin:12/34@orch")).as("a start that looks like a port").isEqualTo("http://orch");
    assertThat(Urls.withoutUserInfo("http://[::1]:8080/a@b")).as("an IPv6 host and port").isEqualTo("http://[::1]:8080/a@b");
    assertThat(Urls.withoutUserInfo("http://orch:8080/a@b")).as("too little shown rather than a credential")
        .isEqualTo("http://b");
  }

  @Test
  void theBasicHeaderCarriesTheDecodedUserAndPasswordOfAnyHost() {
    String adminSecret = "Basic " + java.util.Base64.getEncoder().encodeToString("admin:s3+c@t".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(Urls.basicAuthorization(java.net.URI.create("http://admin:s3+c%40t@orch:8080/x"))).isEqualTo(adminSecret);
    assertThat(Urls.basicAuthorization(java.net.URI.create("http://admin:s3+c%40t@media_service:8080/x")))
        .as("a container name with an underscore, which URI leaves unparsed").isEqualTo(adminSecret);
    assertThat(Urls.basicAuthorization(java.net.URI.create("http://media_service:8080/x"))).isNull();
    assertThat(Urls.basicAuthorization(java.net.URI.create("http://orch:8080"))).isNull();
  }

  @Test
  void anAtOutsideTheAuthorityStays() {
    assertThat(Urls.withoutUserInfo("http://orch/a@b?c=d@e")).isEqualTo("http://orch/a@b?c=d@e");
    assertThat(Urls.withoutUserInfo("http://orch:8080")).isEqualTo("http://orch:8080");
    assertThat(Urls.withoutUserInfo("")).isEmpty();
    assertThat(Urls.withoutUserInfo(null)).isNull();
  }
}
