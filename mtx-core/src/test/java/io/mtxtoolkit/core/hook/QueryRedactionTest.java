package io.mtxtoolkit.core.hook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryRedactionTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", emptyValue = "EMPTY", value = {
      "NULL                              | NULL",
      "EMPTY                             | EMPTY",
      "lang=es                           | lang=es",
      "user=alice&pass=s3cret            | user=alice&pass=***",
      "jwt=eyJhbGciOi.x.y&lang=es        | jwt=***&lang=es",
      "Password=a&API_KEY=b&sig=c&x=1    | Password=***&API_KEY=***&sig=***&x=1",
      "token=                            | token=***",
      "a&&pass=x&                        | a&&pass=***&",
      "=value&pass                       | =value&pass",
      "authorization=Bearer%20x=y        | authorization=***"})
  void masksTheValuesOfCredentialLikeKeysOnly(String query, String shown) {
    assertThat(QueryRedaction.redact(query)).isEqualTo(shown);
  }
}
