package dev.switchboard.sim;

import java.util.List;

/** STUB. */
public interface SimDeployment {
  String name();

  String region();

  int port();

  String baseUrl();

  List<String> models();
}
