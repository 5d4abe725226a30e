CREATE DATABASE roils_pso OWNER roils;
