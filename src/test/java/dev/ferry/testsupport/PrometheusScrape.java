package dev.ferry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One read of {@code /actuator/prometheus} as an admin, and the samples in it. */
public final class PrometheusScrape {

    private final String text;

    private PrometheusScrape(String text) {
        this.text = text;
    }

    public static PrometheusScrape of(AdminClient admin) {
        AdminClient.Response response = admin.send("GET", "/actuator/prometheus", null, "text/plain");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return new PrometheusScrape(response.body());
    }

    /** Sum of the samples of {@code name} whose labels include every one of {@code labels} (0 when there are none). */
    public double value(String name, String... labels) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+(\\S+)", Pattern.MULTILINE).matcher(text);
        double sum = 0;
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= set.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** Whether a sample of {@code name} is exposed at all. */
    public boolean has(String name) {
        return Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s", Pattern.MULTILINE).matcher(text).find();
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
