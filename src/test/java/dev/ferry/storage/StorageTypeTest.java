package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The storage type names users are given come from {@link StorageType}; what cannot follow it by code is checked here. */
class StorageTypeTest {

    static final List<String> NAMES = Arrays.stream(StorageType.values()).map(StorageType::typeName).toList();

    @Test
    void aTypeIsFoundByItsExactName() {
        assertThat(StorageType.named("local")).contains(StorageType.LOCAL);
        assertThat(StorageType.named("s3")).contains(StorageType.S3);
        assertThat(StorageType.named("S3")).isEmpty();
        assertThat(StorageType.named("ftp")).isEmpty();
        assertThat(StorageType.named(null)).isEmpty();
        assertThat(StorageType.namesForMessages()).isEqualTo("'local' or 's3'");
    }

    @Test
    void theAdminUiFormOffersExactlyTheseTypes() throws IOException {
        String page = Files.readString(Path.of("admin-ui/src/features/users/UserPage.tsx"));
        Matcher select = Pattern.compile("<select[^>]*name=\"storageType\".*?</select>", Pattern.DOTALL).matcher(page);
        assertThat(select.find()).as("the storage type's <select> in UserPage.tsx").isTrue();
        List<String> offered = Pattern.compile("<option value=\"([^\"]+)\"").matcher(select.group()).results()
                .map(option -> option.group(1)).toList();
        assertThat(offered).as("the options of the storage type's <select>").containsExactlyElementsOf(NAMES);

        String form = Files.readString(Path.of("admin-ui/src/features/users/userForm.ts"));
        Matcher field = Pattern.compile("storageType: ([^;]+);").matcher(form);
        assertThat(field.find()).as("the form's storageType field in userForm.ts").isTrue();
        List<String> typed = Pattern.compile("'([^']+)'").matcher(field.group(1)).results().map(MatchResult::group)
                .map(quoted -> quoted.substring(1, quoted.length() - 1)).toList();
        assertThat(typed).as("the form's storageType type").containsExactlyElementsOf(NAMES);
    }

    @Test
    void theReadmeNamesEveryType() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String listed = NAMES.stream().map(name -> "`" + name + "`").collect(Collectors.joining(" or "));
        assertThat(readme).as("the admin UI's description of the user form").contains("storage " + listed);
    }
}
