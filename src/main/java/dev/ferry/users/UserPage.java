package dev.ferry.users;

import java.util.List;

/** One page of users, in the admin API's paging shape. */
public record UserPage(List<UserView> content, int page, int size, long totalElements) {
}
